/**
 * Incremental HTTP/1.x parser for one direction of one connection. It is fed bytes in order (and
 * explicit gaps) and reports heads, body slices and message ends to a sink. Body bytes are handed
 * out as subarrays of the input, never copied or converted to strings here.
 */
import type { HeaderMap } from '../types.js';
import { addHeaderLine, headerTokens } from './headers.js';
import {
  findStartLine,
  isPlausibleFirstByte,
  parseRequestLine,
  parseStatusLine,
  type RequestLine,
  type StatusLine,
} from './start-line.js';

export type MessageKind = 'request' | 'response';

export interface MessageHead {
  request?: RequestLine;
  status?: StatusLine;
  headers: HeaderMap;
}

export interface MessageSink {
  /** Start line and headers of a new message. */
  head(head: MessageHead, tsNs: bigint): void;
  /** A 1xx response that is not the final one (e.g. `100 Continue`). */
  interim(head: MessageHead, tsNs: bigint): void;
  /** Body bytes `buf[start..end)`; only valid during the call (the sink copies what it keeps). */
  body(buf: Buffer, start: number, end: number): void;
  /** The current message ended; `complete` is false when it was cut short. */
  end(tsNs: bigint, complete: boolean, problem?: string, trailers?: HeaderMap): void;
  /** A `101 Switching Protocols` or a CONNECT tunnel: the connection stops carrying HTTP/1. */
  switchedProtocols(): void;
  /** The stream is not HTTP/1.x at all; the parser ignores the rest of it. */
  notHttp1(reason: 'http2' | 'not-http'): void;
  /** Malformed input; the parser re-syncs to the next start line. */
  parseError(reason: string): void;
  /** A gap swallowed the start of the next message: a message exists that will never be seen. */
  headLost(): void;
  /** Bytes skipped without being part of any message. */
  discarded(length: number): void;
}

type State =
  | 'head'
  | 'fixed'
  | 'chunk-size'
  | 'chunk-data'
  | 'chunk-data-end'
  | 'trailers'
  | 'until-close'
  | 'resync'
  | 'ignore';

const LF = 0x0a;
const CR = 0x0d;
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE_BYTES = 4 * 1024;
const MAX_RESYNC_TAIL = 8 * 1024;
const CHUNK_SIZE_LINE = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/;
/** onHeadLine: the head continues. */
const MORE_LINES = -1;

export class Http1MessageParser {
  private state: State = 'head';
  /** No byte of this stream has been seen yet: the first line decides whether it is HTTP/1 at all. */
  private atStreamStart = true;
  /** No message head was accepted yet (and no gap seen): a bad first line means "not HTTP/1". */
  private isFirstLineOfStream = true;
  private lineParts: Buffer[] = [];
  private lineLength = 0;
  private headBytes = 0;
  private startLine: RequestLine | StatusLine | undefined;
  private headers: HeaderMap = {};
  private trailers: HeaderMap | undefined;
  private remaining = 0;
  /** A head was reported and its end was not yet. */
  private inMessage = false;
  private bodyIncomplete = false;
  private resyncTail: Buffer | undefined;

  constructor(
    private readonly kind: MessageKind,
    private readonly sink: MessageSink,
    /** Method of the request the next response answers (HEAD and CONNECT change response framing). */
    private readonly pairedMethod: () => string | undefined = () => undefined,
    /** Whether a bad first line may classify the whole stream as not HTTP/1 (else: parse error). */
    private readonly mayClassify: () => boolean = () => true,
  ) {}

  feed(input: Buffer, tsNs: bigint): void {
    let buf = input;
    let pos = 0;
    while (pos < buf.length) {
      switch (this.state) {
        case 'ignore':
          this.sink.discarded(buf.length - pos);
          return;
        case 'resync': {
          const next = this.resync(buf, pos);
          buf = next.buf;
          pos = next.pos;
          break;
        }
        case 'head':
          pos = this.readHead(buf, pos, tsNs);
          break;
        case 'fixed':
        case 'chunk-data': {
          const n = Math.min(this.remaining, buf.length - pos);
          this.sink.body(buf, pos, pos + n);
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) {
            if (this.state === 'fixed') this.endMessage(tsNs);
            else this.state = 'chunk-data-end';
          }
          break;
        }
        case 'until-close':
          this.sink.body(buf, pos, buf.length);
          pos = buf.length;
          break;
        case 'chunk-size':
        case 'chunk-data-end':
        case 'trailers': {
          const next = this.readChunkedLine(buf, pos, tsNs);
          if (next === -1) return;
          pos = next;
          break;
        }
      }
    }
  }

  /** `length` bytes of this stream were lost by the capture. */
  gap(length: number, tsNs: bigint): void {
    this.atStreamStart = false;
    this.isFirstLineOfStream = false;
    switch (this.state) {
      case 'ignore':
        return;
      case 'resync':
        this.dropResyncTail();
        return;
      case 'until-close':
        this.bodyIncomplete = true;
        return;
      case 'fixed': {
        const inBody = Math.min(length, this.remaining);
        this.bodyIncomplete = true;
        this.remaining -= inBody;
        if (this.remaining > 0) return;
        this.endMessage(tsNs);
        if (length > inBody) {
          this.sink.headLost();
          this.startResync();
        }
        return;
      }
      case 'head':
        // Whatever comes next on an idle stream starts a message, so this gap holds (part of) a head.
        this.sink.headLost();
        this.fail('capture gap inside message head', tsNs, false);
        return;
      default:
        this.fail('capture gap inside chunked body', tsNs, false);
    }
  }

  /** Stop parsing: every further byte is counted as discarded (the other direction switched protocols). */
  ignoreRest(tsNs: bigint): void {
    if (this.state === 'ignore') return;
    if (this.inMessage) {
      this.sink.end(tsNs, false, 'connection switched protocols before the message ended');
      this.inMessage = false;
    }
    this.startResync();
    this.dropResyncTail();
    this.state = 'ignore';
  }

  /** The stream ended (connection closed). */
  finish(tsNs: bigint): void {
    if (this.state === 'until-close') {
      this.endMessage(tsNs);
    } else if (this.inMessage) {
      this.sink.end(tsNs, false, 'connection closed before the message ended');
      this.inMessage = false;
    }
    this.sink.discarded(this.lineLength + this.headBytes + (this.resyncTail?.length ?? 0));
    this.headBytes = 0;
    this.lineParts = [];
    this.lineLength = 0;
    this.resyncTail = undefined;
    this.state = 'ignore';
  }

  private readHead(buf: Buffer, pos: number, tsNs: bigint): number {
    if (this.atStreamStart) {
      this.atStreamStart = false;
      if (!isPlausibleFirstByte(buf[pos]) && this.mayClassify()) {
        this.stopAsNotHttp('not-http', buf.length - pos);
        return buf.length;
      }
    }
    if (this.lineLength === 0 && this.headBytes === 0) {
      const end = findHeadEnd(buf, pos);
      if (end !== -1) return this.readWholeHead(buf, pos, end, tsNs);
    }
    while (pos < buf.length) {
      // Bytes of this line that came in earlier inputs: they count towards the head size too.
      const carried = this.lineLength;
      const line = this.takeLine(buf, pos);
      if (line === undefined) {
        if (this.lineLength + this.headBytes > MAX_HEAD_BYTES)
          this.fail('message head too large', tsNs, true);
        return buf.length;
      }
      this.headBytes += carried + line.next - pos;
      pos = line.next;
      if (this.headBytes > MAX_HEAD_BYTES) {
        this.fail('message head too large', tsNs, true);
        return pos;
      }
      const stop = this.onHeadLine(line.text, buf, pos, tsNs);
      if (stop !== MORE_LINES) return stop;
    }
    return pos;
  }

  /**
   * The usual case: `buf[pos..end)` holds whole lines up to a blank one, a whole head unless it
   * starts with blank lines. They are made one string and cut into lines, rather than one native
   * conversion per line, and read exactly as one by one.
   */
  private readWholeHead(buf: Buffer, pos: number, end: number, tsNs: bigint): number {
    const text = buf.toString('latin1', pos, end);
    let start = 0;
    while (start < text.length) {
      const lf = text.indexOf('\n', start);
      const next = lf + 1;
      const line = text.slice(start, lf > start && text.charCodeAt(lf - 1) === CR ? lf - 1 : lf);
      this.headBytes += next - start;
      start = next;
      const stop = this.onHeadLine(line, buf, pos + next, tsNs);
      if (stop !== MORE_LINES) return stop;
    }
    return end;
  }

  /**
   * One line of a head, `next` being where the bytes after it start in `buf`: MORE_LINES while the
   * head goes on, else where to continue in `buf` (the head ended, or parsing stopped or failed).
   */
  private onHeadLine(text: string, buf: Buffer, next: number, tsNs: bigint): number {
    if (this.startLine === undefined) {
      if (text === '' || this.acceptStartLine(text, buf.length - next, tsNs)) return MORE_LINES;
      // Classified as not HTTP/1: the rest of the input was counted as discarded already.
      return this.state === 'ignore' ? buf.length : next;
    }
    if (text !== '') {
      const error = addHeaderLine(this.headers, text);
      if (error === undefined) return MORE_LINES;
      this.fail(error, tsNs, true);
      return next;
    }
    this.completeHead(tsNs);
    return next;
  }

  private acceptStartLine(text: string, unread: number, tsNs: bigint): boolean {
    const parsed = this.kind === 'request' ? parseRequestLine(text) : parseStatusLine(text);
    if (parsed) {
      this.startLine = parsed;
      return true;
    }
    if (this.kind === 'request' && text === 'PRI * HTTP/2.0') {
      this.stopAsNotHttp('http2', unread);
      return false;
    }
    if (this.isFirstLineOfStream && this.mayClassify()) {
      this.stopAsNotHttp('not-http', unread);
      return false;
    }
    this.fail('invalid start line', tsNs, true);
    return false;
  }

  private completeHead(tsNs: bigint): void {
    const headers = this.headers;
    const startLine = this.startLine!;
    const head: MessageHead =
      'method' in startLine ? { request: startLine, headers } : { status: startLine, headers };
    this.isFirstLineOfStream = false;
    this.startLine = undefined;
    this.headers = {};
    this.headBytes = 0;

    const status = head.status?.status;
    if (status !== undefined && status >= 100 && status < 200 && status !== 101) {
      this.sink.interim(head, tsNs);
      return;
    }
    // Ask before reporting the head: reporting it moves the pairing on to the next request.
    const method = head.request?.method ?? this.pairedMethod();
    this.sink.head(head, tsNs);
    this.inMessage = true;
    this.bodyIncomplete = false;
    this.trailers = undefined;
    this.startBody(head, method, tsNs);
  }

  private startBody(head: MessageHead, method: string | undefined, tsNs: bigint): void {
    const status = head.status?.status;
    if (status !== undefined) {
      if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) {
        // The connection now carries another protocol (WebSocket, a tunnel): nothing more to decode.
        this.endMessage(tsNs);
        this.state = 'ignore';
        this.sink.switchedProtocols();
        return;
      }
      if (method === 'HEAD' || status === 204 || status === 304) {
        this.endMessage(tsNs);
        return;
      }
    }
    const transferEncoding = head.headers['transfer-encoding'];
    const codings = transferEncoding === undefined ? [] : headerTokens(transferEncoding);
    if (codings.length > 0) {
      if (codings[codings.length - 1] === 'chunked') this.state = 'chunk-size';
      else if (head.request) this.fail('request transfer-encoding without chunked', tsNs, true);
      else this.state = 'until-close';
      return;
    }
    const lengthHeader = head.headers['content-length'];
    if (lengthHeader !== undefined) {
      const value = DECIMAL_LENGTH.test(lengthHeader) ? lengthHeader : singleLength(lengthHeader);
      if (value === undefined) {
        this.fail('invalid content-length', tsNs, true);
        return;
      }
      this.remaining = Number(value);
      if (this.remaining === 0) this.endMessage(tsNs);
      else this.state = 'fixed';
      return;
    }
    if (head.request) this.endMessage(tsNs);
    else this.state = 'until-close';
  }

  private onChunkedLine(text: string, tsNs: bigint): void {
    if (this.state === 'chunk-data-end') {
      if (text === '') this.state = 'chunk-size';
      else this.fail('missing CRLF after chunk data', tsNs, true);
      return;
    }
    if (this.state === 'chunk-size') {
      const match = CHUNK_SIZE_LINE.exec(text);
      if (!match) {
        this.fail('invalid chunk size line', tsNs, true);
        return;
      }
      this.remaining = Number.parseInt(match[1], 16);
      this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
      return;
    }
    if (text === '') {
      this.endMessage(tsNs);
      return;
    }
    this.trailers ??= {};
    const error = addHeaderLine(this.trailers, text);
    if (error) this.fail(`invalid trailer: ${error}`, tsNs, true);
  }

  /** One line of chunked framing (size, end of data, trailer); -1 when the line continues in a later input. */
  private readChunkedLine(buf: Buffer, pos: number, tsNs: bigint): number {
    if (this.state === 'chunk-size' && this.lineLength === 0) {
      // Fast path: a whole size line in this input (the usual case) is read without a string.
      const next = this.readChunkSize(buf, pos);
      if (next !== -1) {
        this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
        return next;
      }
    }
    if (this.state === 'chunk-data-end' && this.lineLength === 0) {
      // Fast path: the empty line after chunk data (once per chunk; an SSE event is often one chunk).
      const end = buf[pos] === CR ? pos + 1 : pos;
      if (buf[end] === LF) {
        this.state = 'chunk-size';
        return end + 1;
      }
    }
    const line = this.takeLine(buf, pos);
    if (line === undefined) {
      if (this.lineLength > MAX_CHUNK_LINE_BYTES) this.fail('chunked framing line too long', tsNs, true);
      return -1;
    }
    this.onChunkedLine(line.text, tsNs);
    return line.next;
  }

  /** Parses `hex[;ext]CRLF` at `pos` into `remaining`; -1 when it is not that simple (handled via text). */
  private readChunkSize(buf: Buffer, pos: number): number {
    let value = 0;
    let i = pos;
    for (; i < buf.length && i - pos < 12; i++) {
      const c = buf[i];
      const digit =
        c >= 0x30 && c <= 0x39
          ? c - 0x30
          : c >= 0x61 && c <= 0x66
            ? c - 0x57
            : c >= 0x41 && c <= 0x46
              ? c - 0x37
              : -1;
      if (digit === -1) break;
      value = value * 16 + digit;
    }
    if (i === pos || i + 1 >= buf.length || buf[i] !== CR || buf[i + 1] !== LF) return -1;
    this.remaining = value;
    return i + 2;
  }

  private endMessage(tsNs: bigint): void {
    const problem = this.bodyIncomplete ? 'body bytes missing (capture gap)' : undefined;
    this.sink.end(tsNs, !this.bodyIncomplete, problem, this.trailers);
    this.inMessage = false;
    this.bodyIncomplete = false;
    this.trailers = undefined;
    this.state = 'head';
  }

  /** Malformed input or a gap: end the open message (cut short) and look for the next start line. */
  private fail(reason: string, tsNs: bigint, malformed: boolean): void {
    if (malformed) this.sink.parseError(reason);
    if (this.inMessage) {
      this.sink.end(tsNs, false, reason, this.trailers);
      this.inMessage = false;
    }
    this.startResync();
  }

  /** Drops any partly read head (its bytes count as discarded) and starts looking for a start line. */
  private startResync(): void {
    this.sink.discarded(this.lineLength + this.headBytes);
    this.lineParts = [];
    this.lineLength = 0;
    this.headBytes = 0;
    this.startLine = undefined;
    this.headers = {};
    this.state = 'resync';
  }

  private stopAsNotHttp(reason: 'http2' | 'not-http', unread: number): void {
    this.sink.notHttp1(reason);
    this.sink.discarded(this.lineLength + unread);
    this.lineParts = [];
    this.lineLength = 0;
    this.state = 'ignore';
  }

  private resync(buf: Buffer, pos: number): { buf: Buffer; pos: number } {
    let data = buf;
    let from = pos;
    if (this.resyncTail) {
      data = Buffer.concat([this.resyncTail, buf.subarray(pos)]);
      from = 0;
      this.resyncTail = undefined;
    }
    const { found, incompleteFrom } = findStartLine(data, from, this.kind);
    if (found >= 0) {
      this.sink.discarded(found - from);
      this.state = 'head';
      this.headBytes = 0;
      return { buf: data, pos: found };
    }
    if (incompleteFrom >= 0 && data.length - incompleteFrom <= MAX_RESYNC_TAIL) {
      this.sink.discarded(incompleteFrom - from);
      this.resyncTail = Buffer.from(data.subarray(incompleteFrom));
    } else {
      this.sink.discarded(data.length - from);
    }
    return { buf: data, pos: data.length };
  }

  private dropResyncTail(): void {
    if (!this.resyncTail) return;
    this.sink.discarded(this.resyncTail.length);
    this.resyncTail = undefined;
  }

  /** Next LF-terminated line (CR stripped) as latin1 text, joining a line split across inputs. */
  private takeLine(buf: Buffer, pos: number): { text: string; next: number } | undefined {
    const lf = findLf(buf, pos);
    if (lf === -1) {
      // Callers fail the message once a line exceeds their limit, which bounds what is kept here.
      this.lineParts.push(Buffer.from(buf.subarray(pos)));
      this.lineLength += buf.length - pos;
      return undefined;
    }
    if (this.lineLength === 0) {
      const end = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
      return { text: buf.toString('latin1', pos, end), next: lf + 1 };
    }
    const bytes = Buffer.concat([...this.lineParts, buf.subarray(pos, lf)]);
    this.lineParts = [];
    this.lineLength = 0;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    return { text: bytes.toString('latin1', 0, end), next: lf + 1 };
  }
}

const DECIMAL_LENGTH = /^\d{1,15}$/;

/**
 * The length a Content-Length header gives when it repeats one value (`42, 42`, or several header
 * lines joined so); undefined when the values differ or one is not a decimal length.
 */
function singleLength(header: string): string | undefined {
  const lengths = new Set(headerTokens(header));
  const value = lengths.size === 1 ? [...lengths][0] : '';
  return DECIMAL_LENGTH.test(value) ? value : undefined;
}

/**
 * Where the first blank line after `pos` ends (LF ends a line, one CR before it is dropped), when
 * that is within the head size limit; else -1.
 */
function findHeadEnd(buf: Buffer, pos: number): number {
  const limit = Math.min(buf.length, pos + MAX_HEAD_BYTES);
  for (let lf = findLf(buf, pos); lf !== -1 && lf < limit; lf = findLf(buf, lf + 1)) {
    const next = buf[lf + 1] === CR ? lf + 2 : lf + 1;
    if (buf[next] === LF) return next < limit ? next + 1 : -1;
  }
  return -1;
}

/** Bytes searched one by one before Buffer.indexOf takes over: a native call costs more on short lines. */
const SHORT_LINE = 256;

/** Index of the next LF at or after `pos`, or -1. */
function findLf(buf: Buffer, pos: number): number {
  const shortEnd = Math.min(buf.length, pos + SHORT_LINE);
  for (let i = pos; i < shortEnd; i++) if (buf[i] === LF) return i;
  return shortEnd === buf.length ? -1 : buf.indexOf(LF, shortEnd);
}
