import type { CaptureEvent } from './events.js';

export interface CaptureOptions {
  /** Which processes to trace: explicit pids (and their descendants), a comm matched at exec, or all. */
  target: { pids?: number[]; comm?: string; all?: boolean };
  /** Kernel ring buffer size in bytes, a power of two ≥ 4096; default 8 MiB. */
  ringBufferBytes?: number;
  /** Capture TLS plaintext; default true. */
  tls?: boolean;
  /** Loader binary; default: the built bpf/.output/agentsight-loader found relative to this package. */
  loaderPath?: string;
  /** Called synchronously per event; a tls_data event's `data` is only valid during the call. */
  onEvent: (event: CaptureEvent) => void;
  /** Loader stderr, one line per call. */
  onLog?: (line: string) => void;
}

export interface CaptureStats {
  /** Kernel records delivered through onEvent. */
  records: number;
  /** Bytes of those records as framed by the loader. */
  bytes: number;
  kernelDroppedRecords: number;
  kernelDroppedBytes: number;
  /** Records lost in user space: malformed frames, loader-side rejects, onEvent exceptions. */
  userDroppedRecords: number;
  /** Files the TLS probes were attached to. */
  attached: string[];
}

export interface CaptureHandle {
  /** Resolves once the kernel's tracked-process map holds pid (loader ACK). */
  track(pid: number): Promise<void>;
  stats(): CaptureStats;
  /** Drains the ring buffer, stops the loader, emits a final LossEvent and resolves with the final stats. */
  stop(): Promise<CaptureStats>;
  /** Loader exit code (128 + signal number when killed by a signal). */
  readonly exited: Promise<number>;
}
