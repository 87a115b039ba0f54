import { type Context, propagation, type TextMapSetter } from '@opentelemetry/api';

/** OpenTelemetry's environment-variable carrier: the W3C fields under upper-case names. */
export const ENV_CARRIER_KEYS = ['TRACEPARENT', 'TRACESTATE', 'BAGGAGE'] as const;

const upperCaseSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key.toUpperCase()] = value;
  },
};

/** TRACEPARENT / TRACESTATE / BAGGAGE for `ctx`, via the global propagator; empty when there is nothing. */
export function envCarrierFor(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier, upperCaseSetter);
  return carrier;
}
