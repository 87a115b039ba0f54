import type { ResponseChannel } from './channel.js';
import type { Conversation, Provider, Reply } from './types.js';

export interface CacheTokens {
  readInputTokens: number;
  creationInputTokens: number;
}

export interface ReplyContext {
  channel: ResponseChannel;
  /** The queued or scripted reply (conversation endpoints only). */
  reply?: Reply;
  /** Exact text chunk count when set. */
  chunks?: number;
  cache: CacheTokens;
}

/** A validated request, ready to be answered. */
export interface PreparedRequest {
  /** Present for model endpoints that take a scripted reply. */
  conversation?: Conversation;
  respond(context: ReplyContext): Promise<void>;
}

export interface Endpoint {
  provider: Provider;
  /** Validates the JSON body; a returned string is the message of a 400 error. */
  prepare(body: unknown): PreparedRequest | string;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
