/** Turns the parse state of one request/response pair into the `HttpExchange` record we emit. */
import type { MessageBody } from './body-buffer.js';
import { decodeContent } from './content-decoding.js';
import { headerTokens } from './http1/headers.js';
import type { MessageHead } from './http1/message-parser.js';
import { buildLlmCall } from './llm/index.js';
import { parseSse } from './sse.js';
import { noteSingleLineData } from './sse-source.js';
import type {
  ByteGap,
  DecodeStats,
  HeaderMap,
  HttpExchange,
  HttpRequestRecord,
  HttpResponseRecord,
} from './types.js';

export interface MessageState {
  exchange: ExchangeState;
  /** Undefined when the head was lost in a capture gap (the message is known to exist, nothing more). */
  head: MessageHead | undefined;
  body: MessageBody;
  startNs: bigint | undefined;
  endNs?: bigint;
  complete: boolean;
  done: boolean;
  problems: string[];
  trailers?: HeaderMap;
}

export interface ExchangeState {
  connId: string;
  task: { pid: number; tid: number; comm: string };
  request?: MessageState;
  response?: MessageState;
  gaps: ByteGap[];
  /** Set when the request opens: its bodies are kept (see DecoderOptions.keepBodies). */
  keepBodies?: boolean;
}

interface RecordContext {
  stats: DecodeStats;
  maxBodyBytes: number;
}

const EMPTY = Buffer.alloc(0);

export function buildExchangeRecord(state: ExchangeState, context: RecordContext): HttpExchange {
  const problems: string[] = [];
  const request = buildRequest(state.request, context, problems);
  const response = buildResponse(state.response, context, problems);
  const startNs = state.request?.startNs ?? state.response?.startNs ?? 0n;
  const record: HttpExchange = {
    kind: 'http',
    connId: state.connId,
    pid: state.task.pid,
    tid: state.task.tid,
    comm: state.task.comm,
    request,
    response,
    timings: {
      requestStartNs: startNs,
      requestEndNs: state.request?.endNs ?? startNs,
      responseStartNs: state.response?.startNs,
      responseEndNs: state.response?.endNs,
    },
    gaps: state.gaps,
  };
  if (state.request?.head) {
    const llm = buildLlmCall(request, response);
    if (llm) record.llm = llm;
  }
  if (problems.length > 0) record.problem = problems.join('; ');
  return record;
}

function buildRequest(
  message: MessageState | undefined,
  context: RecordContext,
  problems: string[],
): HttpRequestRecord {
  if (!message?.head?.request) {
    problems.push(...(message?.problems ?? ['request not captured']));
    return { method: '', target: '', httpVersion: '', headers: {}, body: EMPTY, complete: false };
  }
  const { method, target, httpVersion } = message.head.request;
  const headers = message.head.headers;
  return {
    method,
    target,
    httpVersion,
    headers,
    body: finishBody(message, 'request', context, problems),
    complete: message.complete,
  };
}

/** Undefined when no response was seen, or only its loss in a capture gap is known. */
function buildResponse(
  message: MessageState | undefined,
  context: RecordContext,
  problems: string[],
): HttpResponseRecord | undefined {
  if (!message?.head?.status) {
    problems.push(...(message?.problems ?? ['no response captured']));
    return undefined;
  }
  const { status, reason, httpVersion } = message.head.status;
  const headers = message.trailers ? { ...message.head.headers, ...message.trailers } : message.head.headers;
  const body = finishBody(message, 'response', context, problems);
  const record: HttpResponseRecord = {
    status,
    reason,
    httpVersion,
    headers,
    body,
    complete: message.complete,
  };
  if (headers['content-type']?.toLowerCase().includes('text/event-stream')) {
    const parsed = parseSse(body.toString('utf8'));
    record.sse = parsed.messages;
    if (parsed.singleLineData) noteSingleLineData(parsed.messages, body);
    if (parsed.endedMidEvent) problems.push('event stream ended inside an event (incomplete event dropped)');
  }
  return record;
}

function finishBody(
  message: MessageState,
  which: 'request' | 'response',
  context: RecordContext,
  problems: string[],
): Buffer {
  for (const problem of message.problems) problems.push(`${which}: ${problem}`);
  const raw = message.body.toBuffer();
  if (message.body.overflow > 0) {
    context.stats.droppedBytes += message.body.overflow;
    problems.push(`${which} body exceeded maxBodyBytes: kept ${raw.length} of ${message.body.seen} bytes`);
  }
  const decoded = decodeContent(raw, appliedCodings(message.head?.headers ?? {}), context.maxBodyBytes);
  if (decoded.problem) {
    context.stats.parseErrors++;
    problems.push(`${which} ${decoded.problem}`);
  }
  return decoded.body;
}

/**
 * Codings applied to the body, in order: content codings, then transfer codings other than chunked
 * (`Transfer-Encoding: gzip, chunked` is rare but legal; chunked framing is already undone).
 */
function appliedCodings(headers: HeaderMap): string {
  const transferEncoding = headers['transfer-encoding'];
  if (headers['content-encoding'] === undefined && (transferEncoding ?? 'chunked') === 'chunked') return '';
  const transfer = headerTokens(headers['transfer-encoding']).filter((coding) => coding !== 'chunked');
  return [headers['content-encoding'] ?? '', ...transfer].filter((coding) => coding !== '').join(', ');
}
