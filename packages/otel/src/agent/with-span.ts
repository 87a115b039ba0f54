import { type Attributes, context, type Span, type SpanKind, trace } from '@opentelemetry/api';
import { SCOPE_NAME, SCOPE_VERSION } from '../internal/version.js';
import { recordSpanError } from './errors.js';

export interface WithSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
}

/** Called once when the traced function has finished: `error` is set when it threw or rejected. */
export type SettleHook = (outcome: { error?: unknown; failed: boolean }) => void;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * Runs `fn` inside a new active span and ends the span when `fn` returns, throws, or its promise
 * settles. Returns what `fn` returns: a native promise is chained (same value, same rejection,
 * so the app's unhandled-rejection behaviour is unchanged); any other thenable (e.g. an SDK's
 * APIPromise with extra methods like `.withResponse()`) is returned as the very same object and
 * only observed.
 */
export function runInSpan<T>(
  name: string,
  fn: (span: Span) => T,
  options: WithSpanOptions = {},
  onSettle?: SettleHook,
): T {
  const tracer = trace.getTracer(SCOPE_NAME, SCOPE_VERSION);
  const span = tracer.startSpan(name, { kind: options.kind, attributes: options.attributes });
  const succeed = () => {
    span.end();
    onSettle?.({ failed: false });
  };
  const fail = (error: unknown) => {
    recordSpanError(span, error);
    span.end();
    onSettle?.({ error, failed: true });
  };

  let result: T;
  try {
    result = context.with(trace.setSpan(context.active(), span), fn, undefined, span);
  } catch (error) {
    fail(error);
    throw error;
  }
  if (!isThenable(result)) {
    succeed();
    return result;
  }
  if (result instanceof Promise && result.constructor === Promise) {
    return result.then(
      (value) => {
        succeed();
        return value;
      },
      (error) => {
        fail(error);
        throw error;
      },
    ) as T;
  }
  // Observing a custom thenable marks its rejection as handled; the caller still sees it when
  // awaiting, which is the price of returning the SDK's own object unchanged.
  result.then(succeed, fail);
  return result;
}

/** Generic traced block: an INTERNAL span named `name` around `fn`. */
export function withSpan<T>(name: string, fn: (span: Span) => T, options?: WithSpanOptions): T {
  return runInSpan(name, fn, options);
}
