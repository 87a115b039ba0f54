import { constants } from 'node:os';
import type { Attributes } from '@opentelemetry/api';
import type { ConnectEvent, FileEvent, TlsHandshakeEvent } from '../capture/events.js';
import type { UndecodedConnection } from '../decode/types.js';
import { ATTR, EVENT } from './attribute-names.js';
import type { SpanEventRecord } from './span-record.js';

const FILE_EVENT_NAMES = {
  open: EVENT.fileOpen,
  unlink: EVENT.fileUnlink,
  rename: EVENT.fileRename,
  mkdir: EVENT.fileMkdir,
} as const;

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(constants.errno).map(([name, value]) => [value, name]),
);

/** Syscall result plus, for failures, the errno name as `error.type` (e.g. ENOENT). */
function resultAttributes(result: number): Attributes {
  if (result >= 0) return { [ATTR.syscallResult]: result };
  return { [ATTR.syscallResult]: result, [ATTR.errorType]: ERRNO_NAMES.get(-result) ?? String(-result) };
}

export function fileSpanEvent(e: FileEvent): SpanEventRecord {
  return {
    name: FILE_EVENT_NAMES[e.op],
    tsNs: e.tsNs,
    attributes: {
      [ATTR.filePath]: e.path,
      ...(e.newPath !== undefined ? { [ATTR.fileNewPath]: e.newPath } : {}),
      ...(e.flags !== undefined ? { [ATTR.fileFlags]: e.flags } : {}),
      ...resultAttributes(e.result),
      [ATTR.threadId]: e.tid,
    },
  };
}

export function connectSpanEvent(e: ConnectEvent): SpanEventRecord {
  return {
    name: EVENT.networkConnect,
    tsNs: e.tsNs,
    attributes: {
      [ATTR.networkPeerAddress]: e.address,
      [ATTR.networkPeerPort]: e.port,
      [ATTR.networkType]: e.family,
      ...resultAttributes(e.result),
      [ATTR.threadId]: e.tid,
    },
  };
}

/** A handshake that did not complete: the connection never carried an exchange to report it on. */
export function handshakeFailedSpanEvent(e: TlsHandshakeEvent): SpanEventRecord {
  return {
    name: EVENT.tlsHandshakeFailed,
    tsNs: e.endNs,
    attributes: {
      [ATTR.connectionId]: e.connId,
      [ATTR.tlsHandshakeResult]: e.result,
      [ATTR.tlsHandshakeDuration]: Number(e.endNs - e.tsNs) / 1e9,
      [ATTR.threadId]: e.tid,
    },
  };
}

export function undecodedSpanEvent(r: UndecodedConnection): SpanEventRecord {
  return {
    name: EVENT.undecodedConnection,
    tsNs: r.tsNs,
    attributes: {
      [ATTR.connectionId]: r.connId,
      [ATTR.undecodedReason]: r.reason,
      [ATTR.undecodedBytes]: r.bytes,
    },
  };
}
