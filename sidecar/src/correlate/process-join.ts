import { TraceFlags } from '@opentelemetry/api';
import type { ExecEvent } from '../capture/events.js';
import type { SpanPlacement } from './span-record.js';
import { childOf, newTraceId, parseTraceparentValue } from './trace-context.js';
import type { TrackedProcess } from './tracked-process.js';

/**
 * Decides which trace a process span belongs to and under which parent:
 * 1. `TRACEPARENT` in its exec environment → child of that remote span, unless the value is the
 *    one its parent process was started with (inherited unchanged, e.g. through a shell): then it
 *    goes under the parent process's span, which already sits under that remote span.
 * 2. Otherwise, a child of a known process → under that process's span ('inferred').
 * 3. Otherwise it roots a trace of its own; a process that was already a root keeps its trace id
 *    across exec so spans that already point at it stay in one trace.
 */
export function joinProcess(
  spanId: string,
  env: ExecEvent['env'],
  parent: TrackedProcess | undefined,
  current?: SpanPlacement,
): SpanPlacement {
  const remote = env.TRACEPARENT ? parseTraceparentValue(env.TRACEPARENT, env.TRACESTATE) : undefined;
  const inherited =
    remote !== undefined && parent !== undefined && parent.env.TRACEPARENT === env.TRACEPARENT;
  if (remote && !inherited) {
    return childOf(remote, spanId, 'env');
  }
  if (parent) return childOf(parent.placement, spanId, inherited ? 'env' : 'inferred');
  const traceId = current?.correlation === 'none' ? current.traceId : newTraceId();
  return { traceId, spanId, traceFlags: TraceFlags.SAMPLED, correlation: 'none' };
}
