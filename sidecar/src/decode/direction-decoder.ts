/**
 * One direction of a connection (`write` = requests, `read` = responses): reassembles the byte
 * stream, parses HTTP/1 messages from it and files each message into its exchange slot.
 */
import type { TlsDirection } from '../capture/events.js';
import { BodyBuffer, CountedBody, type MessageBody } from './body-buffer.js';
import type { ExchangeState, MessageState } from './exchange-record.js';
import { Http1MessageParser, type MessageHead, type MessageSink } from './http1/message-parser.js';
import { detectLlmApi } from './llm/detect.js';
import { StreamReassembler, type StreamSink } from './reassembly.js';
import type { ByteGap, DecodedRecord, DecodeStats, HeaderMap } from './types.js';

export interface ConnectionContext {
  stats: DecodeStats;
  maxBodyBytes: number;
  /** False: bodies of exchanges that are not LLM calls are only counted (see DecoderOptions.keepBodies). */
  keepAllBodies: boolean;
  emit(record: DecodedRecord): void;
}

export interface TaskSnapshot {
  pid: number;
  tid: number;
  comm: string;
}

/** What a direction needs from its connection (implemented by `ConnectionDecoder`). */
export interface DirectionOwner {
  readonly context: ConnectionContext;
  readonly mode: 'http' | 'http2' | 'not-http';
  readonly sawRequest: boolean;
  readonly currentTask: TaskSnapshot;
  bytes: number;
  methodAwaitingResponse(): string | undefined;
  /** The exchange the next message of this direction belongs to. */
  slotFor(direction: TlsDirection): ExchangeState;
  messageDone(): void;
  switchedProtocols(): void;
  markUndecoded(reason: 'http2' | 'not-http'): void;
}

export class DirectionDecoder implements StreamSink, MessageSink {
  readonly reassembler = new StreamReassembler(this);
  readonly parser: Http1MessageParser;
  /** The message being parsed (head seen, end not yet). */
  current: MessageState | undefined;
  /** Gaps seen while no message was open: they belong to the next one. */
  private unattachedGaps: ByteGap[] = [];
  /** Capture time of the first byte after the previous message ended. */
  private firstByteNs: bigint | undefined;

  /**
   * `direction` is the role, as seen from a client: `write` parses requests, `read` responses.
   * `captured` is the SSL call the bytes come from, which differs when the traced process is the server.
   */
  constructor(
    private readonly connection: DirectionOwner,
    readonly direction: TlsDirection,
    private readonly captured: TlsDirection = direction,
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
    const gap: ByteGap = { direction: this.captured, offset, length };
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

  interim(_head: MessageHead, _tsNs: bigint): void {
    // `100 Continue` and friends: the final response follows on the same slot, and its timing starts
    // at its own first byte.
    this.firstByteNs = undefined;
  }

  body(buf: Buffer, start: number, end: number): void {
    this.current?.body.append(buf, start, end);
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
    message.problems.push(
      `${this.direction === 'write' ? 'request' : 'response'} head lost in a capture gap`,
    );
    message.done = true;
    this.firstByteNs = undefined;
    this.connection.messageDone();
  }

  switchedProtocols(): void {
    this.connection.switchedProtocols();
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
      body: this.bodyFor(head, exchange),
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

  /** Whether an exchange's bodies are kept is decided once, from its request head. */
  private bodyFor(head: MessageHead | undefined, exchange: ExchangeState): MessageBody {
    const { context } = this.connection;
    if (this.direction === 'write' || exchange.keepBodies === undefined) {
      const requestHead = this.direction === 'write' ? head : exchange.request?.head;
      exchange.keepBodies = context.keepAllBodies || isLlmCall(requestHead);
    }
    return exchange.keepBodies
      ? new BodyBuffer(context.maxBodyBytes, declaredLength(head))
      : new CountedBody();
  }
}

function isLlmCall(requestHead: MessageHead | undefined): boolean {
  const line = requestHead?.request;
  if (!line || !requestHead) return false;
  return (
    detectLlmApi({ method: line.method, target: line.target, headers: requestHead.headers }) !== undefined
  );
}

function declaredLength(head: MessageHead | undefined): number {
  const value = Number(head?.headers['content-length']);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}
