import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from './attributes.js';

/** `error.type`: the error's class name, or `_OTHER` for thrown non-errors (semconv fallback). */
export function errorType(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name || 'Error';
  return '_OTHER';
}

export function recordSpanError(span: Span, error: unknown): void {
  const type = errorType(error);
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
