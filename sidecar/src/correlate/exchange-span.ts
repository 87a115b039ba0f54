import { isUtf8 } from 'node:buffer';
import { type Attributes, SpanKind, type SpanStatus, SpanStatusCode } from '@opentelemetry/api';
import { memoizeBounded } from '../bounded-memo.js';
import type { HttpExchange } from '../decode/types.js';
import { ATTR, EVENT } from './attribute-names.js';
import { llmAttributes, llmContentAttributes, llmSpanName } from './llm-attributes.js';
import { laterNs } from './ns-time.js';
import type { SpanEventRecord, SpanPlacement, SpanRecord } from './span-record.js';

/** Bodies on spans are for reading, not archiving (the JSONL keeps them whole). */
const MAX_BODY_ATTRIBUTE_BYTES = 64 * 1024;
/** Everything captured at SSL_read/SSL_write is HTTPS. */
const DEFAULT_TLS_PORT = 443;

export interface ExchangeSpanOptions {
  /** Put request/response bodies and GenAI messages on spans. */
  captureContent: boolean;
}

/** Splits a Host header (`name`, `name:port`, `[v6]:port`) into server.address / server.port. */
export function parseHostHeader(host: string | undefined): { address?: string; port: number } {
  if (!host) return { port: DEFAULT_TLS_PORT };
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.trim());
  if (!match) return { address: host.trim(), port: DEFAULT_TLS_PORT };
  const address = match[1].replace(/^\[(.*)\]$/, '$1');
  return { address, port: match[2] ? Number(match[2]) : DEFAULT_TLS_PORT };
}

/** A process talks to a handful of hosts, each over and over: each Host header is parsed once. */
const parseHostOnce = memoizeBounded(parseHostHeader, 256);

function serverOf(host: string | undefined): Readonly<{ address?: string; port: number }> {
  return host === undefined ? NO_HOST : parseHostOnce(host);
}

const NO_HOST = parseHostHeader(undefined);
/** Shared by every span without an error: nothing writes to a span's status after it is built. */
const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/** `HTTP/1.1` → `1.1` (network.protocol.version). */
function protocolVersion(httpVersion: string): string {
  if (httpVersion === 'HTTP/1.1') return '1.1';
  return httpVersion.startsWith('HTTP/') ? httpVersion.slice(5) : httpVersion;
}

function bodyText(body: Buffer): { text: string; truncated: boolean } {
  const slice = body.subarray(0, MAX_BODY_ATTRIBUTE_BYTES);
  const text = isUtf8(body) ? slice.toString('utf8') : `base64:${slice.toString('base64')}`;
  return { text, truncated: slice.length < body.length };
}

function contentAttributes(x: HttpExchange): Attributes {
  const request = bodyText(x.request.body);
  const response = x.response ? bodyText(x.response.body) : undefined;
  return {
    ...(x.llm ? llmContentAttributes(x.llm) : {}),
    [ATTR.requestBody]: request.text,
    ...(response ? { [ATTR.responseBody]: response.text } : {}),
    ...(request.truncated || response?.truncated ? { [ATTR.bodyTruncated]: true } : {}),
  };
}

function errorType(x: HttpExchange): string | undefined {
  if (x.llm?.error) return x.llm.error.type;
  if (x.response && x.response.status >= 400) return String(x.response.status);
  if (!x.response) return 'no_response';
  return undefined;
}

function exchangeStatus(x: HttpExchange, error: string | undefined): SpanStatus {
  if (!error) return UNSET_STATUS;
  const message =
    x.llm?.error?.message ?? x.problem ?? (x.response ? `HTTP ${x.response.status}` : 'no response');
  return { code: SpanStatusCode.ERROR, message };
}

/**
 * One CLIENT span per HTTP exchange (SERVER when the traced process answered it): `chat {model}` /
 * `embeddings {model}` for recognised LLM calls (GenAI attributes), `{METHOD}` otherwise. Runs from
 * the first request byte to the last response byte.
 */
export function buildExchangeSpan(
  x: HttpExchange,
  placement: SpanPlacement,
  options: ExchangeSpanOptions,
): SpanRecord {
  const { timings } = x;
  const server = serverOf(x.request.headers.host);
  const error = errorType(x);
  const endNs = timings.responseEndNs ?? timings.responseStartNs ?? timings.requestEndNs;
  const events: SpanEventRecord[] = [];
  let timeToFirstChunkSeconds: number | undefined;
  if (x.llm && timings.responseStartNs !== undefined) {
    events.push({ name: EVENT.firstChunk, tsNs: timings.responseStartNs, attributes: {} });
    if (x.llm.stream) {
      timeToFirstChunkSeconds = Number(timings.responseStartNs - timings.requestStartNs) / 1e9;
    }
  }
  // Built by assignment, in the order the attributes are exported: this runs once per exchange.
  const attributes: Attributes = x.llm ? llmAttributes(x.llm) : {};
  if (timeToFirstChunkSeconds !== undefined) {
    attributes[ATTR.genAiResponseTimeToFirstChunk] = timeToFirstChunkSeconds;
  }
  attributes[ATTR.httpRequestMethod] = x.request.method;
  if (x.inbound) {
    // A server span describes the request it received: path and query, not a URL it called.
    const query = x.request.target.indexOf('?');
    attributes[ATTR.urlScheme] = 'https';
    attributes[ATTR.urlPath] = query === -1 ? x.request.target : x.request.target.slice(0, query);
    if (query !== -1) attributes[ATTR.urlQuery] = x.request.target.slice(query + 1);
  } else if (x.request.headers.host) {
    attributes[ATTR.urlFull] = `https://${x.request.headers.host}${x.request.target}`;
  }
  if (server.address) attributes[ATTR.serverAddress] = server.address;
  attributes[ATTR.serverPort] = server.port;
  if (x.response) attributes[ATTR.httpResponseStatusCode] = x.response.status;
  attributes[ATTR.networkProtocolName] = 'http';
  attributes[ATTR.networkProtocolVersion] = protocolVersion(x.request.httpVersion);
  if (error) attributes[ATTR.errorType] = error;
  if (x.problem) attributes[ATTR.exchangeProblem] = x.problem;
  if (timings.tlsHandshakeStartNs !== undefined && timings.tlsHandshakeEndNs !== undefined) {
    attributes[ATTR.tlsHandshakeDuration] =
      Number(timings.tlsHandshakeEndNs - timings.tlsHandshakeStartNs) / 1e9;
  }
  if (x.gaps.length > 0) {
    attributes[ATTR.gapCount] = x.gaps.length;
    attributes[ATTR.gapBytes] = x.gaps.reduce((sum, g) => sum + g.length, 0);
  }
  if (options.captureContent) Object.assign(attributes, contentAttributes(x));
  attributes[ATTR.processPid] = x.pid;
  attributes[ATTR.threadId] = x.tid;
  attributes[ATTR.connectionId] = x.connId;
  attributes[ATTR.source] = 'ebpf';
  attributes[ATTR.correlation] = placement.correlation;
  return {
    placement,
    name: x.llm ? llmSpanName(x.llm) : x.request.method,
    kind: x.inbound ? SpanKind.SERVER : SpanKind.CLIENT,
    startNs: timings.requestStartNs,
    endNs: laterNs(endNs, timings.requestStartNs),
    attributes,
    events,
    droppedEvents: 0,
    status: exchangeStatus(x, error),
  };
}
