/**
 * Output of the decode stage: whole HTTP exchanges rebuilt from TLS plaintext, with LLM calls
 * recognised. Consumed by redact, correlate and export.
 */

/** Lower-cased header name → value (repeated headers joined with ", ", set-cookie with "\n"). */
export type HeaderMap = Record<string, string>;

export interface HttpRequestRecord {
  method: string;
  /** Request target as sent (path + query). */
  target: string;
  httpVersion: string;
  headers: HeaderMap;
  /** Body after transfer decoding (chunked) and content decoding (gzip/deflate/br). */
  body: Buffer;
  /** True when the body was fully seen (per Content-Length / chunked terminator). */
  complete: boolean;
}

export interface SseMessage {
  event?: string;
  data: string;
  id?: string;
}

export interface HttpResponseRecord {
  status: number;
  reason: string;
  httpVersion: string;
  headers: HeaderMap;
  /** Body after transfer and content decoding. For SSE this is the whole event stream text. */
  body: Buffer;
  complete: boolean;
  /** Present when content-type is text/event-stream. */
  sse?: SseMessage[];
}

/** A byte range the capture did not deliver (kernel drop or truncation). */
export interface ByteGap {
  direction: 'write' | 'read';
  offset: number;
  length: number;
}

export interface ExchangeTimings {
  /** First byte of the request seen. */
  requestStartNs: bigint;
  /** Last byte of the request seen. */
  requestEndNs: bigint;
  /** First byte of the response seen. */
  responseStartNs?: bigint;
  /** Last byte of the response seen. */
  responseEndNs?: bigint;
  /** The connection's TLS handshake (first call into it, completion): on its first exchange only. */
  tlsHandshakeStartNs?: bigint;
  tlsHandshakeEndNs?: bigint;
}

export interface LlmMessage {
  role: string;
  /** Text content (parts concatenated); tool results and images summarised as text. */
  content: string;
}

export interface LlmToolCall {
  id?: string;
  name: string;
  /** Raw JSON arguments as the model produced them. */
  arguments: string;
}

export interface LlmUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  reasoningOutputTokens?: number;
}

export interface LlmCall {
  provider: 'openai' | 'anthropic';
  /** GenAI operation name (`chat`, `embeddings`). */
  operation: 'chat' | 'embeddings';
  /** Which wire API: OpenAI chat completions, OpenAI responses, OpenAI embeddings, Anthropic messages. */
  api: 'chat.completions' | 'responses' | 'embeddings' | 'messages';
  stream: boolean;
  requestModel?: string;
  responseModel?: string;
  responseId?: string;
  request: {
    maxTokens?: number;
    temperature?: number;
    topP?: number;
    stopSequences?: string[];
    seed?: number;
  };
  systemInstructions?: string;
  inputMessages: LlmMessage[];
  /** Assembled completion text (stream deltas merged). */
  outputText: string;
  toolCalls: LlmToolCall[];
  finishReasons: string[];
  usage: LlmUsage;
  /** Provider error (HTTP status >= 400 with an error body, or an error event in a stream). */
  error?: { type: string; message: string };
}

export interface HttpExchange {
  kind: 'http';
  connId: string;
  /** The traced process was the server: it read this request and wrote the response. */
  inbound?: true;
  pid: number;
  tid: number;
  comm: string;
  request: HttpRequestRecord;
  /** Missing when the connection closed before a response. */
  response?: HttpResponseRecord;
  timings: ExchangeTimings;
  gaps: ByteGap[];
  llm?: LlmCall;
  /** Why the exchange is incomplete or was cut short, when it is. */
  problem?: string;
}

/** A connection whose traffic could not be decoded as HTTP/1.x (HTTP/2, or junk). Counted, not decoded. */
export interface UndecodedConnection {
  kind: 'undecoded';
  connId: string;
  pid: number;
  comm: string;
  reason: 'http2' | 'not-http' | 'gap';
  bytes: number;
  tsNs: bigint;
}

export type DecodedRecord = HttpExchange | UndecodedConnection;

/** Counters every decoder keeps; nothing is dropped without being counted here. */
export interface DecodeStats {
  connections: number;
  exchanges: number;
  llmCalls: number;
  http2Connections: number;
  parseErrors: number;
  gapBytes: number;
  droppedBytes: number;
}
