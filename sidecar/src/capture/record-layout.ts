import type { TlsHandshakeResult } from './events.js';

/**
 * Binary record layout written by bpf/.output/agentsight-loader on stdout.
 * Mirrors bpf/agentsight.h (the single source of truth); see bpf/README.md.
 * All integers little-endian; records are packed back to back.
 */

/** "ASR1" as a little-endian u32: the first 4 bytes of every record. */
export const RECORD_MAGIC = 0x31525341;
export const HEADER_SIZE = 48;
/** Largest record the loader can produce (an exec record at its caps) plus headroom. */
export const MAX_RECORD_SIZE = 1 << 20;

export const RecordType = {
  exec: 1,
  fork: 2,
  exit: 3,
  file: 4,
  connect: 5,
  tlsData: 6,
  tlsClose: 7,
  tlsHandshake: 8,
  clock: 64,
  ready: 65,
  attach: 66,
  ack: 67,
  stats: 68,
} as const;

/** Header field offsets (struct as_hdr). */
export const Hdr = {
  magic: 0,
  size: 4,
  type: 8,
  flags: 10,
  ppid: 12,
  tsNs: 16,
  pid: 24,
  tid: 28,
  comm: 32,
  commLength: 16,
} as const;

export const ExecFlags = { argvTruncated: 0x1, envTruncated: 0x2 } as const;
export const TlsFlags = { truncated: 0x1 } as const;

/** struct as_exec body: filename_len, argv_len, env_len, pad; data follows at 64. */
export const Exec = { filenameLength: 48, argvLength: 52, envLength: 56, data: 64 } as const;
export const Fork = { childPid: 48, size: 56 } as const;
export const Exit = { status: 48, size: 56 } as const;
/** struct as_file: op, path_len, new_path_len, pad (u16 each), flags (s32), pad, result (s64); data at 72. */
/** struct as_file: op, path_len, new_path_len (u16), flags, dirfd, new_dirfd (s32), result (s64); data at 80. */
export const File = { op: 48, pathLength: 50, newPathLength: 52, flags: 56, result: 72, data: 80 } as const;
export const FileFlags = { pathResolved: 0x8 } as const;
export const FileOpCode = { 1: 'open', 2: 'unlink', 3: 'rename', 4: 'mkdir' } as const;
export const Connect = { family: 48, port: 50, result: 56, addr: 64, size: 80 } as const;
export const AF_INET = 2;
export const AF_INET6 = 10;
/** struct as_tls_data: ssl, start_time, offset (u64), call_len, data_len (u32), dir, fn (u8); data at 88. */
export const TlsData = {
  ssl: 48,
  startTime: 56,
  offset: 64,
  callLength: 72,
  dataLength: 76,
  direction: 80,
  fn: 81,
  data: 88,
} as const;
export const TlsClose = { ssl: 48, startTime: 56, size: 64 } as const;
export const TlsHandshake = { ssl: 48, startTime: 56, endNs: 64, result: 72, size: 80 } as const;
/** enum as_handshake_result */
export const HandshakeResultCode: Record<number, TlsHandshakeResult> = {
  1: 'done',
  0: 'failed',
  [-1]: 'incomplete',
};
export const Clock = { realtimeMinusMonotonic: 48, size: 56 } as const;
export const Attach = { pathLength: 48, path: 56 } as const;
export const Ack = { pid: 48, op: 52, size: 56 } as const;
export const AckOp = { track: 1, untrack: 2 } as const;
export const Stats = {
  records: 48,
  bytes: 56,
  kernelDroppedRecords: 64,
  kernelDroppedBytes: 72,
  loaderDroppedRecords: 80,
  size: 88,
} as const;
