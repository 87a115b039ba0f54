import type { CaptureEvent, FileOp, TlsDataEvent, TlsHandshakeResult } from './events.js';
import { formatIPv4, formatIPv6 } from './ip-address.js';
import {
  Ack,
  AF_INET,
  AF_INET6,
  Attach,
  Clock,
  Connect,
  Exec,
  ExecFlags,
  Exit,
  File,
  FileFlags,
  FileOpCode,
  Fork,
  HandshakeResultCode,
  Hdr,
  HEADER_SIZE,
  RecordType,
  Stats,
  TlsClose,
  TlsData,
  TlsFlags,
  TlsHandshake,
} from './record-layout.js';

/** Records the loader itself produces (never forwarded to consumers as-is). */
export type LoaderRecord =
  | { kind: 'clock'; realtimeMinusMonotonicNs: bigint }
  | { kind: 'ready' }
  | { kind: 'attach'; path: string; pid: number }
  | { kind: 'ack'; pid: number; op: 'track' | 'untrack' }
  | {
      kind: 'stats';
      tsNs: bigint;
      records: number;
      bytes: number;
      kernelDroppedRecords: number;
      kernelDroppedBytes: number;
      loaderDroppedRecords: number;
    };

export type DecodedRecord =
  | { source: 'kernel'; event: Exclude<CaptureEvent, { kind: 'loss' }> }
  | { source: 'loader'; record: LoaderRecord };

/** Converts kernel CLOCK_MONOTONIC nanoseconds to Unix epoch nanoseconds. */
export type ToEpochNs = (monotonicNs: bigint) => bigint;

const ENV_CARRIER_KEYS = ['TRACEPARENT', 'TRACESTATE', 'BAGGAGE'] as const;

/** Thrown for a record whose fields contradict its size; the caller counts and skips it. */
export class MalformedRecordError extends Error {}

function check(condition: boolean, what: string): void {
  if (!condition) throw new MalformedRecordError(what);
}

/** NUL-terminated string from a field of `length` bytes (the terminator is optional). */
function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end < 0 || end > start + length ? start + length : end);
}

/** NUL-separated list ("a\0b\0") → ["a", "b"]. */
function cStringList(buf: Buffer, start: number, length: number): string[] {
  if (length === 0) return [];
  const text = buf.toString('utf8', start, start + length);
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** A u64 field as a number (exact below 2^53), without going through BigInt. */
function u64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * 0x1_0000_0000;
}

/**
 * connId strings of recently seen connections, by the low bits of their SSL pointer: TLS records
 * are the hot path, and building the id from three BigInts cost more than the rest of a record.
 */
const CONN_ID_CACHE_SIZE = 256;
const connIdCache: Array<{ pid: number; words: [number, number, number, number]; id: string } | undefined> =
  new Array(CONN_ID_CACHE_SIZE);

function tlsConnId(rec: Buffer, pid: number, sslAt: number, startTimeAt: number): string {
  const sslLo = rec.readUInt32LE(sslAt);
  const sslHi = rec.readUInt32LE(sslAt + 4);
  const startLo = rec.readUInt32LE(startTimeAt);
  const startHi = rec.readUInt32LE(startTimeAt + 4);
  const slot = (sslLo >>> 4) % CONN_ID_CACHE_SIZE;
  const hit = connIdCache[slot];
  if (
    hit &&
    hit.pid === pid &&
    hit.words[0] === sslLo &&
    hit.words[1] === sslHi &&
    hit.words[2] === startLo &&
    hit.words[3] === startHi
  ) {
    return hit.id;
  }
  const id = connId(pid, rec.readBigUInt64LE(startTimeAt), rec.readBigUInt64LE(sslAt));
  connIdCache[slot] = { pid, words: [sslLo, sslHi, startLo, startHi], id };
  return id;
}

/**
 * Decodes one record cut by FrameSplitter. Throws MalformedRecordError when the record is
 * inconsistent; the capture pipeline counts those and continues.
 */
export function decodeRecord(rec: Buffer, toEpochNs: ToEpochNs): DecodedRecord {
  const type = rec.readUInt16LE(Hdr.type);
  const flags = rec.readUInt16LE(Hdr.flags);
  if (type === RecordType.tlsData) return { source: 'kernel', event: decodeTlsData(rec, flags, toEpochNs) };
  const task = () => ({
    pid: rec.readUInt32LE(Hdr.pid),
    tid: rec.readUInt32LE(Hdr.tid),
    ppid: rec.readUInt32LE(Hdr.ppid),
    comm: cString(rec, Hdr.comm, Hdr.commLength),
    tsNs: toEpochNs(rec.readBigUInt64LE(Hdr.tsNs)),
  });
  const kernel = (event: Exclude<CaptureEvent, { kind: 'loss' }>): DecodedRecord => ({
    source: 'kernel',
    event,
  });
  const loader = (record: LoaderRecord): DecodedRecord => ({ source: 'loader', record });

  switch (type) {
    case RecordType.exec: {
      check(rec.length >= Exec.data, 'exec: short');
      const fnLen = rec.readUInt32LE(Exec.filenameLength);
      const argvLen = rec.readUInt32LE(Exec.argvLength);
      const envLen = rec.readUInt32LE(Exec.envLength);
      check(Exec.data + fnLen + argvLen + envLen === rec.length, 'exec: lengths');
      const env: { TRACEPARENT?: string; TRACESTATE?: string; BAGGAGE?: string } = {};
      for (const entry of cStringList(rec, Exec.data + fnLen + argvLen, envLen)) {
        const eq = entry.indexOf('=');
        const key = entry.slice(0, eq);
        // The loader already filters; checking again keeps the guarantee local to this file.
        if ((ENV_CARRIER_KEYS as readonly string[]).includes(key)) {
          env[key as (typeof ENV_CARRIER_KEYS)[number]] = entry.slice(eq + 1);
        }
      }
      return kernel({
        kind: 'exec',
        ...task(),
        filename: cString(rec, Exec.data, fnLen),
        argv: cStringList(rec, Exec.data + fnLen, argvLen),
        argvTruncated: (flags & ExecFlags.argvTruncated) !== 0,
        env,
      });
    }
    case RecordType.fork:
      check(rec.length === Fork.size, 'fork: size');
      return kernel({ kind: 'fork', ...task(), childPid: rec.readUInt32LE(Fork.childPid) });
    case RecordType.exit: {
      check(rec.length === Exit.size, 'exit: size');
      const status = rec.readUInt32LE(Exit.status);
      const signal = status & 0x7f;
      return kernel({
        kind: 'exit',
        ...task(),
        exitCode: signal === 0 ? (status >> 8) & 0xff : null,
        signal: signal === 0 ? null : signal,
      });
    }
    case RecordType.file: {
      check(rec.length >= File.data, 'file: short');
      const op = FileOpCode[rec.readUInt16LE(File.op) as keyof typeof FileOpCode] as FileOp | undefined;
      const pathLen = rec.readUInt16LE(File.pathLength);
      const newPathLen = rec.readUInt16LE(File.newPathLength);
      check(op !== undefined, 'file: op');
      check(File.data + pathLen + newPathLen === rec.length, 'file: lengths');
      const event: CaptureEvent = {
        kind: 'file',
        ...task(),
        op: op as FileOp,
        path: cString(rec, File.data, pathLen),
        result: Number(rec.readBigInt64LE(File.result)),
      };
      if (op === 'rename') event.newPath = cString(rec, File.data + pathLen, newPathLen);
      if (flags & FileFlags.pathResolved) event.pathResolved = true;
      if (op === 'open') event.flags = rec.readInt32LE(File.flags);
      return kernel(event);
    }
    case RecordType.connect: {
      check(rec.length === Connect.size, 'connect: size');
      const family = rec.readUInt16LE(Connect.family);
      check(family === AF_INET || family === AF_INET6, 'connect: family');
      const addr = rec.subarray(Connect.addr, Connect.addr + 16);
      return kernel({
        kind: 'connect',
        ...task(),
        family: family === AF_INET ? 'ipv4' : 'ipv6',
        address: family === AF_INET ? formatIPv4(addr) : formatIPv6(addr),
        port: rec.readUInt16LE(Connect.port),
        result: Number(rec.readBigInt64LE(Connect.result)),
      });
    }
    case RecordType.tlsClose: {
      check(rec.length === TlsClose.size, 'tls_close: size');
      const t = task();
      return kernel({
        kind: 'tls_close',
        ...t,
        connId: tlsConnId(rec, t.pid, TlsClose.ssl, TlsClose.startTime),
      });
    }
    case RecordType.tlsHandshake: {
      check(rec.length === TlsHandshake.size, 'tls_handshake: size');
      const result = HandshakeResultCode[rec.readInt32LE(TlsHandshake.result)];
      check(result !== undefined, 'tls_handshake: result');
      const t = task();
      return kernel({
        kind: 'tls_handshake',
        ...t,
        connId: tlsConnId(rec, t.pid, TlsHandshake.ssl, TlsHandshake.startTime),
        endNs: toEpochNs(rec.readBigUInt64LE(TlsHandshake.endNs)),
        result: result as TlsHandshakeResult,
      });
    }
    case RecordType.clock:
      check(rec.length === Clock.size, 'clock: size');
      return loader({
        kind: 'clock',
        realtimeMinusMonotonicNs: rec.readBigInt64LE(Clock.realtimeMinusMonotonic),
      });
    case RecordType.ready:
      check(rec.length === HEADER_SIZE, 'ready: size');
      return loader({ kind: 'ready' });
    case RecordType.attach: {
      check(rec.length >= Attach.path, 'attach: short');
      const len = rec.readUInt32LE(Attach.pathLength);
      check(Attach.path + len === rec.length, 'attach: length');
      return loader({ kind: 'attach', path: cString(rec, Attach.path, len), pid: rec.readUInt32LE(Hdr.pid) });
    }
    case RecordType.ack: {
      check(rec.length === Ack.size, 'ack: size');
      const op = rec.readUInt32LE(Ack.op);
      check(op === 1 || op === 2, 'ack: op');
      return loader({ kind: 'ack', pid: rec.readUInt32LE(Ack.pid), op: op === 1 ? 'track' : 'untrack' });
    }
    case RecordType.stats:
      check(rec.length === Stats.size, 'stats: size');
      return loader({
        kind: 'stats',
        tsNs: toEpochNs(rec.readBigUInt64LE(Hdr.tsNs)),
        records: u64(rec, Stats.records),
        bytes: u64(rec, Stats.bytes),
        kernelDroppedRecords: u64(rec, Stats.kernelDroppedRecords),
        kernelDroppedBytes: u64(rec, Stats.kernelDroppedBytes),
        loaderDroppedRecords: u64(rec, Stats.loaderDroppedRecords),
      });
    default:
      throw new MalformedRecordError(`unknown record type ${type}`);
  }
}

/** TLS plaintext: most records by far, so built in one object literal without helpers. */
function decodeTlsData(rec: Buffer, flags: number, toEpochNs: ToEpochNs): TlsDataEvent {
  check(rec.length >= TlsData.data, 'tls: short');
  const dataLen = rec.readUInt32LE(TlsData.dataLength);
  check(TlsData.data + dataLen === rec.length, 'tls: length');
  const direction = rec.readUInt8(TlsData.direction);
  check(direction <= 1, 'tls: direction');
  const pid = rec.readUInt32LE(Hdr.pid);
  return {
    kind: 'tls_data',
    pid,
    tid: rec.readUInt32LE(Hdr.tid),
    ppid: rec.readUInt32LE(Hdr.ppid),
    comm: cString(rec, Hdr.comm, Hdr.commLength),
    tsNs: toEpochNs(rec.readBigUInt64LE(Hdr.tsNs)),
    connId: tlsConnId(rec, pid, TlsData.ssl, TlsData.startTime),
    direction: direction === 0 ? 'write' : 'read',
    offset: u64(rec, TlsData.offset),
    // A view, not a copy: pipe chunks are fresh allocations nobody writes to again, and
    // copying every record doubled the sidecar's allocation rate under load.
    data: rec.subarray(TlsData.data),
    callLength: rec.readUInt32LE(TlsData.callLength),
    truncated: (flags & TlsFlags.truncated) !== 0,
  };
}

/** `${pid}:${processStartTime}:${ssl pointer hex}` — unique per TLS connection across pid reuse. */
export function connId(pid: number, startTime: bigint, ssl: bigint): string {
  return `${pid}:${startTime}:${ssl.toString(16)}`;
}
