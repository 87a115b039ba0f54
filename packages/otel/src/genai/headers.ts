import { type Context, propagation, type Span, trace } from '@opentelemetry/api';

export const X_TRACE_ID = 'x-trace-id';

/**
 * The W3C context of `span` (via the global propagator) plus `X-Trace-Id`, for one LLM request.
 * `callContext` is the active context with `span` set, which the caller already holds. Undefined when
 * `span` has no valid context (no tracer provider): there is nothing to propagate.
 */
export function traceHeaders(span: Span, callContext: Context): Record<string, string> | undefined {
  const spanContext = span.spanContext();
  if (!trace.isSpanContextValid(spanContext)) return undefined;
  const headers: Record<string, string> = {};
  propagation.inject(callContext, headers);
  headers[X_TRACE_ID] = spanContext.traceId;
  return headers;
}

/** The SDKs' merged form of option headers: set values plus the names set to null ("omit"). */
interface NullableHeaders {
  values: Headers;
  nulls: Set<string>;
}

function isNullableHeaders(headers: unknown): headers is NullableHeaders {
  const candidate = headers as Partial<NullableHeaders>;
  return typeof candidate.values?.has === 'function' && candidate.nulls instanceof Set;
}

/**
 * Whether SDK request-option headers name `name`, whatever its value. They come as a record, a `Headers`,
 * pairs, or (once a resource method has merged them, as @anthropic-ai/sdk does) values plus nulls.
 */
export function hasHeader(headers: unknown, name: string): boolean {
  if (!headers) return false;
  if (isNullableHeaders(headers)) return headers.values.has(name) || headers.nulls.has(name);
  if (typeof (headers as Headers).has === 'function') return (headers as Headers).has(name);
  if (Array.isArray(headers)) return headers.some((entry) => String(entry?.[0]).toLowerCase() === name);
  return Object.keys(headers as object).some((key) => key.toLowerCase() === name);
}

/**
 * Returns the SDK request options with `added` merged into `headers`, without touching the caller's
 * object. Headers the caller set (even to null, which the SDKs read as "omit") win over ours. The
 * SDKs accept a plain record, a `Headers` instance or an array of pairs; each keeps its form.
 */
export function withHeaders(options: unknown, added: Record<string, string>): Record<string, unknown> {
  const base = (options ?? {}) as Record<string, unknown>;
  const existing = base.headers;
  // The usual case, no caller headers: `added` is the caller's own fresh record, so it is used as is.
  if (existing === undefined || existing === null) return { ...base, headers: added };
  const missing = Object.entries(added).filter(([name]) => !hasHeader(existing, name));
  if (missing.length === 0) return base;
  let headers: unknown;
  if (existing && typeof (existing as Headers).set === 'function' && !Array.isArray(existing)) {
    const copy = new Headers(existing as Headers);
    for (const [name, value] of missing) copy.set(name, value);
    headers = copy;
  } else if (Array.isArray(existing)) {
    headers = [...existing, ...missing];
  } else {
    headers = { ...(existing as object), ...Object.fromEntries(missing) };
  }
  return { ...base, headers };
}
