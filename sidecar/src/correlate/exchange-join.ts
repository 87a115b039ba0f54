import { TraceFlags } from '@opentelemetry/api';
import type { HeaderMap } from '../decode/types.js';
import type { SpanPlacement } from './span-record.js';
import { childOf, newSpanId, newTraceId, parseTraceparentValue, parseXTraceId } from './trace-context.js';
import type { TrackedProcess } from './tracked-process.js';

/**
 * Places an HTTP exchange span:
 * 1. `traceparent` request header → child of that span, in that trace.
 * 2. `x-trace-id` only → that trace; under the process span when the process is in that trace,
 *    else a root in it (the app's span that made the call is unknown).
 * 3. Neither → under the span of the process that made the call.
 */
export function joinExchange(headers: HeaderMap, process: TrackedProcess | undefined): SpanPlacement {
  const spanId = newSpanId();
  const remote = headers.traceparent
    ? parseTraceparentValue(headers.traceparent, headers.tracestate)
    : undefined;
  if (remote) {
    return childOf(remote, spanId, 'traceparent');
  }
  const xTraceId = headers['x-trace-id'] ? parseXTraceId(headers['x-trace-id']) : undefined;
  if (xTraceId) {
    const sameTrace = process?.placement.traceId === xTraceId ? process.placement : undefined;
    return {
      traceId: xTraceId,
      spanId,
      ...(sameTrace ? { parentSpanId: sameTrace.spanId } : {}),
      traceFlags: sameTrace?.traceFlags ?? TraceFlags.SAMPLED,
      correlation: 'x-trace-id',
    };
  }
  if (process) return childOf(process.placement, spanId, 'inferred');
  return { traceId: newTraceId(), spanId, traceFlags: TraceFlags.SAMPLED, correlation: 'none' };
}
