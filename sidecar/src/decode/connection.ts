/**
 * Decoding state of one TLS connection: an ordered byte stream and an HTTP/1 parser per direction
 * (requests are what the traced process writes, responses what it reads, unless it is the server:
 * see `inbound`), and the queue that pairs the n-th response with the n-th request. Pairing is by
 * order only, never by thread or time: one Node thread multiplexes many connections and pipelines
 * requests on each.
 */
import type { TlsDataEvent, TlsDirection } from '../capture/events.js';
import {
  type ConnectionContext,
  DirectionDecoder,
  type DirectionOwner,
  type TaskSnapshot,
} from './direction-decoder.js';
import { buildExchangeRecord, type ExchangeState } from './exchange-record.js';
import type { UndecodedConnection } from './types.js';

export type { ConnectionContext } from './direction-decoder.js';

/**
 * Unpaired messages kept waiting for their partner before the oldest is given up on. Clients
 * pipeline a few requests at most; a longer queue means responses were lost, and each entry holds
 * a whole request body (at 256, overload with 64 KiB bodies kept 16 MiB per connection).
 */
const MAX_PENDING_EXCHANGES = 32;

/** A request line's start: what the first bytes a server reads look like. */
const REQUEST_START = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|CONNECT|TRACE) /;

/** When the connection's TLS handshake started and completed (capture clock, epoch ns). */
export interface HandshakeTiming {
  startNs: bigint;
  endNs: bigint;
}

export class ConnectionDecoder implements DirectionOwner {
  mode: 'http' | 'http2' | 'not-http' = 'http';
  /** Plaintext bytes received in both directions. */
  bytes = 0;
  sawRequest = false;
  /** The traced process accepted this connection: it reads requests and writes responses. */
  readonly inbound: boolean;
  /** Reported on the next exchange emitted, then cleared: the first one paid for it. */
  handshake: HandshakeTiming | undefined;
  currentTask: TaskSnapshot;
  private lastTsNs: bigint;
  private readonly requests: DirectionDecoder;
  private readonly responses: DirectionDecoder;
  /** Exchanges not yet emitted, oldest first; request n and response n share a slot. */
  private readonly pending: ExchangeState[] = [];
  /** Index in `pending` of the slot the next request (resp. response) goes to. */
  private nextRequestSlot = 0;
  private nextResponseSlot = 0;

  constructor(
    readonly connId: string,
    first: TlsDataEvent,
    readonly context: ConnectionContext,
  ) {
    this.currentTask = { pid: first.pid, tid: first.tid, comm: first.comm };
    this.lastTsNs = first.tsNs;
    // Decided once, from the connection's first bytes: a client speaks first with a request.
    this.inbound = first.direction === 'read' && REQUEST_START.test(first.data.toString('latin1', 0, 8));
    this.requests = new DirectionDecoder(this, 'write', this.inbound ? 'read' : 'write');
    this.responses = new DirectionDecoder(this, 'read', this.inbound ? 'write' : 'read');
  }

  push(event: TlsDataEvent): void {
    const task = this.currentTask;
    // Snapshots are shared by the exchanges that take them, so a new one is made only on a change.
    if (task.pid !== event.pid || task.tid !== event.tid || task.comm !== event.comm) {
      this.currentTask = { pid: event.pid, tid: event.tid, comm: event.comm };
    }
    this.lastTsNs = event.tsNs;
    const side = (event.direction === 'write') !== this.inbound ? this.requests : this.responses;
    side.reassembler.push(event.offset, event.data, event.truncated, event.tsNs);
  }

  /** End of the connection: finish open messages, emit everything pending. */
  close(tsNs: bigint): void {
    const end = tsNs > this.lastTsNs ? tsNs : this.lastTsNs;
    for (const side of [this.requests, this.responses]) {
      side.reassembler.flush(end);
      if (this.mode === 'http') side.parser.finish(end);
    }
    if (this.mode !== 'http') {
      this.context.stats.droppedBytes += this.bytes;
      this.emitUndecoded(this.mode, this.bytes, end);
      return;
    }
    while (this.pending.length > 0) this.emitFront();
    const lost = [...this.requests.takeUnattachedGaps(), ...this.responses.takeUnattachedGaps()];
    if (lost.length > 0) {
      this.emitUndecoded(
        'gap',
        lost.reduce((sum, gap) => sum + gap.length, 0),
        end,
      );
    }
  }

  private emitUndecoded(reason: UndecodedConnection['reason'], bytes: number, tsNs: bigint): void {
    this.context.emit({
      kind: 'undecoded',
      connId: this.connId,
      pid: this.currentTask.pid,
      comm: this.currentTask.comm,
      reason,
      bytes,
      tsNs,
    });
  }

  methodAwaitingResponse(): string | undefined {
    return this.pending[this.nextResponseSlot]?.request?.head?.request?.method;
  }

  slotFor(direction: TlsDirection): ExchangeState {
    const index = direction === 'write' ? this.nextRequestSlot++ : this.nextResponseSlot++;
    if (direction === 'write') this.sawRequest = true;
    let slot = this.pending[index];
    if (!slot) {
      slot = { connId: this.connId, task: this.currentTask, gaps: [] };
      this.pending.push(slot);
    }
    return slot;
  }

  messageDone(): void {
    while (this.pending.length > 0) {
      const front = this.pending[0];
      const ready = front.request?.done && front.response?.done;
      // Past the limit the oldest finished side is emitted without waiting for its partner.
      const overdue =
        this.pending.length > MAX_PENDING_EXCHANGES && (front.request?.done || front.response?.done);
      if (!ready && !overdue) return;
      this.emitFront();
    }
  }

  /** After `101` (WebSocket) or a CONNECT tunnel the requests side carries no more HTTP/1 either. */
  switchedProtocols(): void {
    this.requests.parser.ignoreRest(this.lastTsNs);
  }

  markUndecoded(reason: 'http2' | 'not-http'): void {
    if (this.mode !== 'http') return;
    this.mode = reason;
    if (reason === 'http2') this.context.stats.http2Connections++;
    else this.context.stats.parseErrors++;
  }

  private emitFront(): void {
    const exchange = this.pending.shift()!;
    this.nextRequestSlot = Math.max(0, this.nextRequestSlot - 1);
    this.nextResponseSlot = Math.max(0, this.nextResponseSlot - 1);
    // A message still open here is being finished by the caller (close) or was overtaken by the queue limit.
    if (this.requests.current?.exchange === exchange) this.requests.current = undefined;
    if (this.responses.current?.exchange === exchange) this.responses.current = undefined;
    const record = buildExchangeRecord(exchange, this.context);
    if (this.inbound) record.inbound = true;
    if (this.handshake) {
      record.timings.tlsHandshakeStartNs = this.handshake.startNs;
      record.timings.tlsHandshakeEndNs = this.handshake.endNs;
      this.handshake = undefined;
    }
    this.context.stats.exchanges++;
    if (record.llm) this.context.stats.llmCalls++;
    this.context.emit(record);
  }
}
