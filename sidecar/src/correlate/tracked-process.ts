import type { ExecEvent } from '../capture/events.js';
import type { SpanEventRecord, SpanPlacement } from './span-record.js';

/** Everything the correlator knows about one process; its span is emitted when it exits. */
export interface TrackedProcess {
  pid: number;
  ppid: number;
  comm: string;
  argv: string[];
  argvTruncated: boolean;
  /** Executable path from the last exec (or /proc/<pid>/exe). */
  filename: string;
  startNs: bigint;
  endNs?: bigint;
  exitCode: number | null;
  signal: number | null;
  /** OTel carrier variables the current program image was started with. */
  env: ExecEvent['env'];
  /** Ids are allocated up front so children and HTTP spans can point at the span before it ends. */
  placement: SpanPlacement;
  events: SpanEventRecord[];
  droppedEvents: number;
}
