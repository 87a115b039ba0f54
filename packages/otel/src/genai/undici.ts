import { trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation, type UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { safely } from '../internal/diag.js';
import { X_TRACE_ID } from './headers.js';
import { createHostMatcher, type GenAIOptions } from './options.js';

/** A header line by name in undici's raw `name: value\r\n` form, case-insensitively. */
const HEADER_LINES = {
  traceparent: /(?:^|\n)traceparent:/i,
  [X_TRACE_ID]: /(?:^|\n)x-trace-id:/i,
} as const;

/**
 * Undici keeps request headers as a raw string or a flat [name, value, ...] array. Runs for every
 * fetch, so names are compared by length before any lower-casing.
 */
function hasHeader(request: UndiciRequest, name: 'traceparent' | typeof X_TRACE_ID): boolean {
  const headers: unknown = request.headers;
  if (typeof headers === 'string') return HEADER_LINES[name].test(headers);
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      const key = String(headers[i]);
      if (key.length === name.length && key.toLowerCase() === name) return true;
    }
  }
  return false;
}

function addHeader(request: UndiciRequest, name: string, value: string): void {
  const target = request as UndiciRequest & { addHeader?: (name: string, value: string) => void };
  if (typeof target.addHeader === 'function') target.addHeader(name, value);
  else if (typeof request.headers === 'string') (request as any).headers += `${name}: ${value}\r\n`;
  else if (Array.isArray(request.headers)) (request.headers as string[]).push(name, value);
}

function hostOf(request: UndiciRequest): { hostname: string; host: string } | undefined {
  try {
    const url = new URL(request.origin);
    return { hostname: url.hostname, host: url.host };
  } catch {
    return undefined;
  }
}

/**
 * HTTP client spans for fetch/undici. A request that already carries `traceparent` (a traced SDK call,
 * or the app's own) is skipped rather than given a second one: undici appends headers, it does not
 * replace them. Requests to LLM hosts also get `X-Trace-Id`.
 */
export function createUndiciInstrumentation(options: GenAIOptions): Instrumentation {
  const isLlmHost = createHostMatcher(options.llmHosts);
  return new UndiciInstrumentation({
    ignoreRequestHook: (request) =>
      safely('genai.undici.ignore', () => hasHeader(request, 'traceparent')) ?? false,
    requestHook: (span, request) => {
      if (!options.injectTraceHeaders) return;
      safely('genai.undici.x-trace-id', () => {
        const spanContext = span.spanContext();
        if (!trace.isSpanContextValid(spanContext) || hasHeader(request, X_TRACE_ID)) return;
        const host = hostOf(request);
        if (host && (isLlmHost(host.hostname) || isLlmHost(host.host))) {
          addHeader(request, X_TRACE_ID, spanContext.traceId);
        }
      });
    },
  });
}
