/**
 * Events produced by the capture stage (BPF loader → TypeScript), consumed by decode and correlate.
 * Timestamps are wall-clock nanoseconds since the Unix epoch (the capture stage converts from
 * the kernel's boot-time clock), so they can be used directly as OTel span times.
 */

/** Who did it: every event carries the acting task. */
export interface TaskRef {
  /** Process id (tgid). */
  pid: number;
  /** Thread id. */
  tid: number;
  /** Parent process id at the time of the event (0 if unknown). */
  ppid: number;
  /** Kernel `comm` (max 15 chars). */
  comm: string;
  /** Unix epoch nanoseconds. */
  tsNs: bigint;
}

/** Application-side direction of TLS plaintext: `write` = sent by the app, `read` = received. */
export type TlsDirection = 'write' | 'read';

/**
 * Plaintext captured at SSL_write/SSL_read (and the _ex forms). One SSL call may be split into
 * several events (chunks); `offset` is the byte offset of `data` in this connection's stream for
 * this direction, so consumers can reassemble and detect gaps (offset > bytes seen so far).
 */
export interface TlsDataEvent extends TaskRef {
  kind: 'tls_data';
  /** Opaque, unique per TLS connection for the life of the sidecar: `${pid}:${startTime}:${ssl ptr hex}`. */
  connId: string;
  direction: TlsDirection;
  offset: number;
  /**
   * View into the capture's read buffer, valid only until onEvent returns: the buffer is reused
   * for the next read, so a consumer that keeps bytes copies them.
   */
  data: Buffer;
  /** Bytes the SSL call transferred in total (the sum over its chunks); data.length may be less when truncated. */
  callLength: number;
  /** True when the kernel could not copy all of this chunk (bytes missing = gap before next offset). */
  truncated: boolean;
}

/** The TLS connection was freed (SSL_free) or its process exited: decoders can flush and forget it. */
export interface TlsCloseEvent extends TaskRef {
  kind: 'tls_close';
  connId: string;
}

/** How a TLS handshake ended: `incomplete` = the connection was freed before it finished (an error, or closed). */
export type TlsHandshakeResult = 'done' | 'failed' | 'incomplete';

/** One TLS handshake, from the first call into it (`tsNs`) to its outcome (`endNs`). */
export interface TlsHandshakeEvent extends TaskRef {
  kind: 'tls_handshake';
  connId: string;
  endNs: bigint;
  result: TlsHandshakeResult;
}

export interface ExecEvent extends TaskRef {
  kind: 'exec';
  filename: string;
  argv: string[];
  /** True when argv was longer than the kernel-side copy limit. */
  argvTruncated: boolean;
  /** Only the OTel environment carrier keys are forwarded; nothing else from the environment leaves. */
  env: { TRACEPARENT?: string; TRACESTATE?: string; BAGGAGE?: string };
}

export interface ForkEvent extends TaskRef {
  kind: 'fork';
  childPid: number;
}

export interface ExitEvent extends TaskRef {
  kind: 'exit';
  /** Exit status as the shell sees it (code), or null when killed by a signal. */
  exitCode: number | null;
  signal: number | null;
}

export type FileOp = 'open' | 'unlink' | 'rename' | 'mkdir';

export interface FileEvent extends TaskRef {
  kind: 'file';
  op: FileOp;
  /** Absolute when the process passed one, or when `pathResolved`; otherwise as passed (the process was gone). */
  path: string;
  /** A relative path was made absolute against the process's cwd (or the directory fd it used). */
  pathResolved?: true;
  /** Destination of a rename. */
  newPath?: string;
  /** open(2) flags. */
  flags?: number;
  /** Syscall return value (fd or 0 on success, negative errno on failure). */
  result: number;
}

export interface ConnectEvent extends TaskRef {
  kind: 'connect';
  family: 'ipv4' | 'ipv6';
  address: string;
  port: number;
  /** connect(2) return value (0, or negative errno; -115 EINPROGRESS for non-blocking sockets). */
  result: number;
}

/** Periodic report of everything lost between the kernel and the sidecar; counters are cumulative. */
export interface LossEvent {
  kind: 'loss';
  tsNs: bigint;
  /** Ring-buffer reservations that failed in the kernel (summed over CPUs). */
  kernelDroppedRecords: number;
  /** Payload bytes those failed reservations would have carried. */
  kernelDroppedBytes: number;
  /** Records the loader could not parse or forward. */
  userDroppedRecords: number;
}

export type CaptureEvent =
  | TlsDataEvent
  | TlsCloseEvent
  | TlsHandshakeEvent
  | ExecEvent
  | ForkEvent
  | ExitEvent
  | FileEvent
  | ConnectEvent
  | LossEvent;
