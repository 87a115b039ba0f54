import type { TlsCloseEvent, TlsDataEvent, TlsHandshakeEvent } from '../capture/events.js';
import { type ConnectionContext, ConnectionDecoder, type HandshakeTiming } from './connection.js';
import type { DecodedRecord, DecodeStats } from './types.js';

export interface DecoderOptions {
  onRecord: (record: DecodedRecord) => void;
  /** Per message body; bytes beyond are counted (stats.droppedBytes) and the exchange gets a `problem`. Default 16 MiB. */
  maxBodyBytes?: number;
  /**
   * 'all' (default) keeps every body. 'llm' keeps only the bodies of LLM API calls, which are parsed
   * into `llm`; other exchanges come with empty bodies (their sizes are still counted by the decoder).
   * For consumers that export no bodies.
   */
  keepBodies?: 'all' | 'llm';
  /**
   * Called with internal failures and exceptions thrown by `onRecord`; the decoder itself never throws.
   * The connection involved is dropped and counted in `stats.parseErrors`.
   */
  onError?: (error: unknown) => void;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Completed handshakes of connections that have not carried data yet (bounds memory, oldest dropped). */
const MAX_WAITING_HANDSHAKES = 4096;

/** Rebuilds HTTP/1.x exchanges (and LLM calls in them) from captured TLS plaintext, per connection. */
export class TlsStreamDecoder {
  private readonly connections = new Map<string, ConnectionDecoder>();
  /** Completed handshakes by connId, until the connection's first data arrives. */
  private readonly handshakes = new Map<string, HandshakeTiming>();
  private readonly counters: DecodeStats = {
    connections: 0,
    exchanges: 0,
    llmCalls: 0,
    http2Connections: 0,
    parseErrors: 0,
    gapBytes: 0,
    droppedBytes: 0,
  };
  private readonly context: ConnectionContext;

  constructor(private readonly options: DecoderOptions) {
    this.context = {
      stats: this.counters,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      keepAllBodies: options.keepBodies !== 'llm',
      emit: (record) => this.emit(record),
    };
  }

  push(event: TlsDataEvent): void {
    let connection = this.connections.get(event.connId);
    try {
      if (!connection) {
        connection = new ConnectionDecoder(event.connId, event, this.context);
        connection.handshake = this.handshakes.get(event.connId);
        this.handshakes.delete(event.connId);
        this.connections.set(event.connId, connection);
        this.counters.connections++;
      }
      connection.push(event);
    } catch (error) {
      this.fail(event.connId, error);
    }
  }

  /** A completed TLS handshake: its timing goes on the connection's first exchange. */
  handshake(event: TlsHandshakeEvent): void {
    if (event.result !== 'done') return;
    const timing = { startNs: event.tsNs, endNs: event.endNs };
    const connection = this.connections.get(event.connId);
    if (connection) {
      connection.handshake ??= timing;
      return;
    }
    if (this.handshakes.size >= MAX_WAITING_HANDSHAKES) {
      this.handshakes.delete(this.handshakes.keys().next().value as string);
    }
    this.handshakes.set(event.connId, timing);
  }

  /** Flushes what is pending on the connection (incomplete exchanges carry a `problem`) and forgets it. */
  close(event: TlsCloseEvent | { connId: string; tsNs: bigint }): void {
    this.handshakes.delete(event.connId);
    const connection = this.connections.get(event.connId);
    if (!connection) return;
    this.connections.delete(event.connId);
    try {
      connection.close(event.tsNs);
    } catch (error) {
      this.fail(event.connId, error);
    }
  }

  /**
   * The process exited: closes its connections. Node can exit without SSL_free, so without this a
   * long-running `trace` would hold their state, and any read-until-close response, until shutdown.
   * Relies on the connId contract `${pid}:${startTime}:${ssl}` (capture/events.ts).
   */
  closeProcess(pid: number, tsNs: bigint): void {
    const prefix = `${pid}:`;
    for (const connId of [...this.connections.keys()]) {
      if (connId.startsWith(prefix)) this.close({ connId, tsNs });
    }
    for (const connId of [...this.handshakes.keys()]) {
      if (connId.startsWith(prefix)) this.handshakes.delete(connId);
    }
  }

  /** At shutdown: closes every open connection. */
  flushAll(tsNs: bigint): void {
    for (const connId of [...this.connections.keys()]) this.close({ connId, tsNs });
  }

  stats(): DecodeStats {
    return { ...this.counters };
  }

  private emit(record: DecodedRecord): void {
    try {
      this.options.onRecord(record);
    } catch (error) {
      this.reportError(error);
    }
  }

  private fail(connId: string, error: unknown): void {
    this.connections.delete(connId);
    this.counters.parseErrors++;
    this.reportError(error);
  }

  private reportError(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // An error handler that throws has nowhere left to report to.
    }
  }
}
