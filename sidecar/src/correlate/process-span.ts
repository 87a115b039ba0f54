import { SpanKind, type SpanStatus, SpanStatusCode } from '@opentelemetry/api';
import { ATTR } from './attribute-names.js';
import { laterNs } from './ns-time.js';
import type { SpanRecord } from './span-record.js';
import type { TrackedProcess } from './tracked-process.js';

function exitStatus(p: TrackedProcess): SpanStatus {
  if (p.signal !== null) return { code: SpanStatusCode.ERROR, message: `killed by signal ${p.signal}` };
  if (p.exitCode !== null && p.exitCode !== 0) {
    return { code: SpanStatusCode.ERROR, message: `exit code ${p.exitCode}` };
  }
  return { code: SpanStatusCode.UNSET };
}

/**
 * The `process {comm}` span. `running` marks a process still alive at shutdown: its end time is
 * the shutdown time, not an exit.
 */
export function buildProcessSpan(p: TrackedProcess, endNs: bigint, running: boolean): SpanRecord {
  return {
    placement: p.placement,
    name: `process ${p.comm}`,
    kind: SpanKind.INTERNAL,
    startNs: p.startNs,
    endNs: laterNs(endNs, p.startNs),
    attributes: {
      [ATTR.processPid]: p.pid,
      [ATTR.processParentPid]: p.ppid,
      [ATTR.processCommand]: p.argv[0] ?? p.comm,
      [ATTR.processCommandArgs]: p.argv,
      [ATTR.processExecutableName]: p.comm,
      ...(p.filename ? { [ATTR.processExecutablePath]: p.filename } : {}),
      ...(p.argvTruncated ? { [ATTR.processArgvTruncated]: true } : {}),
      ...(p.exitCode !== null ? { [ATTR.processExitCode]: p.exitCode } : {}),
      ...(p.signal !== null ? { [ATTR.processExitSignal]: p.signal } : {}),
      ...(running ? { [ATTR.processRunning]: true } : {}),
      [ATTR.source]: 'ebpf',
      [ATTR.correlation]: p.placement.correlation,
    },
    events: p.events,
    droppedEvents: p.droppedEvents,
    status: running ? { code: SpanStatusCode.UNSET } : exitStatus(p),
  };
}
