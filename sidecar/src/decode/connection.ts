/**
 * Decoding state of one TLS connection: an ordered byte stream and an HTTP/1 parser per direction
 * (`write` = requests, `read` = responses, since we capture the client's SSL calls), and the queue
 * that pairs the n-th response with the n-th request. Pairing is by order only, never by thread or
 * time: one Node thread multiplexes many connections and pipelines requests on each.
 */
import type { TlsDataEvent, TlsDirection } from '../capture/events.js';
import { BodyBuffer } from './body-buffer.js';
import { buildExchangeRecord, type ExchangeState, type MessageState } from './exchange-record.js';
import { type MessageHead, type MessageSink, Http1MessageParser } from './http1/message-parser.js';
import { StreamReassembler, type StreamSink } from './reassembly.js';
import type { ByteGap, DecodedRecord, DecodeStats, HeaderMap, UndecodedConnection } from './types.js';

export interface ConnectionContext {
  stats: DecodeStats;
  maxBodyBytes: number;
  emit(record: DecodedRecord): void;
}

interface TaskSnapshot {
  pid: number;
  tid: number;
  comm: string;
}

/** Responses the server owes before we give up waiting on the oldest one (bounds memory). */
const MAX_PENDING_EXCHANGES = 256;

class DirectionDecoder implements StreamSink, MessageSink {
  readonly reassembler = new StreamReassembler(this);
  readonly parser: Http1MessageParser;
  /** The message being parsed (head seen, end not yet). */
  current: MessageState | undefined;
  /** Gaps seen while no message was open: they belong to the next one. */
  private unattachedGaps: ByteGap[] = [];
  /** Capture time of the first byte after the previous message ended. */
  private firstByteNs: bigint | undefined;

  constructor(
    private readonly connection: ConnectionDecoder,
    readonly direction: TlsDirection,
  ) {
    const kind = direction === 'write' ? 'request' : 'response';
    this.parser = new Http1MessageParser(
      kind,
      this,
      () => connection.methodAwaitingResponse(),
      () => direction === 'write' || !connection.sawRequest,
    );
  }

  data(bytes: Buffer, tsNs: bigint): void {
    this.connection.bytes += bytes.length;
    if (this.connection.mode !== 'http') {
      return;
    }
    this.firstByteNs ??= tsNs;
    this.parser.feed(bytes, tsNs);
  }

  gap(offset: number, length: number, tsNs: bigint): void {
    const gap: ByteGap = { direction: this.direction, offset, length };
    this.connection.context.stats.gapBytes += length;
    if (this.current) this.current.exchange.gaps.push(gap);
    else this.unattachedGaps.push(gap);
    if (this.connection.mode === 'http') this.parser.gap(length, tsNs);
  }

  /** Gaps no message took (the stream never re-synced after them). */
  takeUnattachedGaps(): ByteGap[] {
    const gaps = this.unattachedGaps;
    this.unattachedGaps = [];
    return gaps;
  }

  duplicate(length: number): void {
    this.connection.context.stats.droppedBytes += length;
  }

  head(head: MessageHead, tsNs: bigint): void {
    const message = this.openMessage(head, tsNs);
    this.current = message;
  }

  interim(_head: MessageHead, tsNs: bigint): void {
    // `100 Continue` and friends: the final response follows on the same slot.
    this.firstByteNs ??= tsNs;
  }

  body(bytes: Buffer, _tsNs: bigint): void {
    this.current?.body.append(bytes);
  }

  bodyGap(length: number): void {
    if (this.current) this.current.body.missing += length;
  }

  end(tsNs: bigint, complete: boolean, problem?: string, trailers?: HeaderMap): void {
    const message = this.current;
    this.firstByteNs = undefined;
    if (!message) return;
    this.current = undefined;
    message.endNs = tsNs;
    message.complete = complete;
    message.trailers = trailers;
    if (problem) message.problems.push(problem);
    message.done = true;
    this.connection.messageDone();
  }

  headLost(): void {
    const message = this.openMessage(undefined, undefined);
    message.problems.push(`${this.direction === 'write' ? 'request' : 'response'} head lost in a capture gap`);
    message.done = true;
    this.firstByteNs = undefined;
    this.connection.messageDone();
  }

  notHttp1(reason: 'http2' | 'not-http'): void {
    this.connection.markUndecoded(reason);
  }

  parseError(_reason: string): void {
    this.connection.context.stats.parseErrors++;
  }

  discarded(length: number): void {
    if (this.connection.mode === 'http') this.connection.context.stats.droppedBytes += length;
  }

  private openMessage(head: MessageHead | undefined, tsNs: bigint | undefined): MessageState {
    const exchange = this.connection.slotFor(this.direction);
    const message: MessageState = {
      exchange,
      head,
      body: new BodyBuffer(this.connection.context.maxBodyBytes),
      startNs: head ? (this.firstByteNs ?? tsNs) : undefined,
      complete: false,
      done: false,
      problems: [],
    };
    this.firstByteNs = undefined;
    exchange.gaps.push(...this.unattachedGaps);
    this.unattachedGaps = [];
    if (this.direction === 'write') {
      exchange.request = message;
      exchange.task = this.connection.currentTask;
    } else {
      exchange.response = message;
    }
    return message;
  }
}

export class ConnectionDecoder {
  mode: 'http' | 'http2' | 'not-http' = 'http';
  /** Plaintext bytes received in both directions. */
  bytes = 0;
  sawRequest = false;
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
    this.requests = new DirectionDecoder(this, 'write');
    this.responses = new DirectionDecoder(this, 'read');
  }

  push(event: TlsDataEvent): void {
    this.currentTask = { pid: event.pid, tid: event.tid, comm: event.comm };
    this.lastTsNs = event.tsNs;
    const side = event.direction === 'write' ? this.requests : this.responses;
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
      const overdue = this.pending.length > MAX_PENDING_EXCHANGES && front.request?.done;
      if (!ready && !overdue) return;
      this.emitFront();
    }
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
    this.context.stats.exchanges++;
    if (record.llm) this.context.stats.llmCalls++;
    this.context.emit(record);
  }
}
