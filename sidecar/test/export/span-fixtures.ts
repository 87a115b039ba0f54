import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { SpanRecord } from '../../src/correlate/span-record.js';

export const T0 = 1_750_000_000_000_000_000n;

export function spanRecord(name: string, overrides: Partial<SpanRecord['placement']> = {}): SpanRecord {
  return {
    placement: {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: 'aaaaaaaaaaaaaaaa',
      parentSpanId: '00f067aa0ba902b7',
      traceFlags: 1,
      correlation: 'traceparent',
      ...overrides,
    },
    name,
    kind: SpanKind.CLIENT,
    startNs: T0,
    endNs: T0 + 1_500_000_000n,
    attributes: { 'gen_ai.request.model': 'gpt-4o-mini', 'process.command_args': ['a', 'b'] },
    events: [{ name: 'gen_ai.first_chunk', tsNs: T0 + 250_000_000n, attributes: { n: 1 } }],
    droppedEvents: 2,
    status: { code: SpanStatusCode.ERROR, message: 'boom' },
  };
}
