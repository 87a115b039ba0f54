/** Public types shared by the server, the providers and the scripted brain. */

export type Provider = 'openai' | 'anthropic';

/** A tool call the mock model should make. `arguments` objects are JSON-encoded on the wire. */
export interface ToolCallSpec {
  name: string;
  arguments: Record<string, unknown> | string;
  /** Wire id (`call_…` / `toolu_…`); generated when omitted. */
  id?: string;
}

/** Provider-neutral usage overrides; anything omitted is computed from the request and reply. */
export interface UsageOverride {
  inputTokens?: number;
  outputTokens?: number;
  /** Anthropic `cache_read_input_tokens`; OpenAI `prompt_tokens_details.cached_tokens`. */
  cacheReadInputTokens?: number;
  /** Anthropic `cache_creation_input_tokens`. */
  cacheCreationInputTokens?: number;
}

/** How a streamed reply is paced and split. */
export interface StreamShaping {
  /** Exact number of text content chunks (text is split evenly by characters). Default: one per word. */
  chunks?: number;
  /** Delay between SSE events. */
  chunkDelayMs?: number;
  /** Server "think time" before the first byte of the response. */
  thinkMs?: number;
}

/** What the mock model answers. */
export interface Reply extends StreamShaping {
  text?: string;
  toolCalls?: ToolCallSpec[];
  /** Provider-neutral; mapped to `end_turn`/`max_tokens`/`tool_use` for Anthropic. */
  finishReason?: 'stop' | 'length' | 'tool_calls';
  usage?: UsageOverride;
}

export type Fault =
  | { fault: 'status'; status: number; retryAfter?: number; body?: unknown }
  | { fault: 'reset' }
  | { fault: 'reset-mid-stream'; afterChunks: number }
  | { fault: 'slow-first-byte'; ms: number };

export type QueueItem = Reply | Fault;

export interface ConversationMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  text: string;
}

/** A provider-neutral view of one model request, given to scripts. */
export interface Conversation {
  provider: Provider;
  api: 'chat.completions' | 'responses' | 'messages';
  model: string;
  messages: ConversationMessage[];
  /** Names of the tools the request declares. */
  toolNames: string[];
  /** Text of every tool result in the conversation, oldest first. */
  toolResults: string[];
  /** Completed tool rounds: groups of tool results that answered one assistant turn. */
  toolRounds: number;
  lastUserText: string;
}

/** The scripted "brain": decides the reply when nothing is enqueued. Must be deterministic. */
export type Script = (conversation: Conversation) => Reply;

export interface RecordedRequest {
  method: string;
  /** Path including the query string. */
  path: string;
  /** Lower-cased names; values as sent (secrets included: tests assert on them). */
  headers: Record<string, string | string[]>;
  body: string;
  /** Parsed body when it was valid JSON. */
  json?: unknown;
  receivedAt: number;
}

export interface MockLlmOptions {
  /** Serve HTTPS with a generated self-signed certificate. Default true. */
  tls?: boolean;
  /** Default 0: a random free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Extra DNS names for the certificate, e.g. a compose service name. */
  hostnames?: string[];
  /** Brain used when no reply is enqueued. Default: `defaultScript`. */
  script?: Script;
  /** Default pacing for every reply (per-reply fields and `x-mock-*` headers override). */
  latency?: StreamShaping;
  /** Default Anthropic cache token counts (also reported as OpenAI cached tokens). */
  cache?: { readInputTokens?: number; creationInputTokens?: number };
}

export interface MockLlmServer {
  /** e.g. `https://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly openaiBaseURL: string;
  readonly anthropicBaseURL: string;
  /** PEM of the self-signed certificate ('' when `tls: false`). */
  readonly caCert: string;
  /** Temp file holding `caCert` ('' when `tls: false`). */
  readonly caCertPath: string;
  /** A `fetch` that trusts `caCert`; pass it as the `fetch` option of the OpenAI/Anthropic clients. */
  readonly fetch: typeof fetch;
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  enqueue(...items: QueueItem[]): void;
  setScript(script: Script): void;
  close(): Promise<void>;
}
