import { type Context, ROOT_CONTEXT, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/**
 * The context named by this process's own TRACEPARENT / TRACESTATE / BAGGAGE (set by a traced
 * parent process), or undefined when there is none.
 */
export function contextFromEnv(
  propagator: TextMapPropagator,
  env: NodeJS.ProcessEnv = process.env,
): Context | undefined {
  if (!env.TRACEPARENT && !env.BAGGAGE) return undefined;
  const carrier: Record<string, string | undefined> = {
    traceparent: env.TRACEPARENT,
    tracestate: env.TRACESTATE,
    baggage: env.BAGGAGE,
  };
  return propagator.extract(ROOT_CONTEXT, carrier, {
    get: (c, key) => c[key],
    keys: (c) => Object.keys(c),
  });
}

/**
 * An AsyncLocalStorage context manager whose empty context is the process's inherited one, so
 * spans that would be roots become children of the parent process's span and the trace
 * continues across the process boundary. Explicitly entered contexts are untouched.
 */
export class EnvParentContextManager extends AsyncLocalStorageContextManager {
  constructor(private readonly processContext: Context) {
    super();
  }

  override active(): Context {
    const active = super.active();
    return active === ROOT_CONTEXT ? this.processContext : active;
  }
}
