import { promptText } from './conversation.js';
import type { CacheTokens } from './endpoint.js';
import { newId } from './ids.js';
import { countCompletionTokens, countPromptTokens, splitText, truncateToTokens } from './tokens.js';
import type { Conversation, Reply } from './types.js';

export interface PlannedToolCall {
  id: string;
  name: string;
  /** JSON-encoded arguments, as sent on the wire. */
  arguments: string;
}

export interface PlannedUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
}

/** A provider-neutral answer, ready to be rendered into any wire format. */
export interface Completion {
  text: string;
  textChunks: string[];
  toolCalls: PlannedToolCall[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  usage: PlannedUsage;
}

export interface CompletionLimits {
  maxTokens?: number;
  chunks?: number;
  cache: CacheTokens;
  toolIdPrefix: string;
}

export function planCompletion(
  reply: Reply,
  conversation: Conversation,
  limits: CompletionLimits,
): Completion {
  const { text, truncated } = truncateToTokens(reply.text ?? '', limits.maxTokens);
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? newId(limits.toolIdPrefix),
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  }));
  const finishReason =
    reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : truncated ? 'length' : 'stop');
  return {
    text,
    textChunks: splitText(text, limits.chunks),
    toolCalls,
    finishReason,
    usage: {
      inputTokens: reply.usage?.inputTokens ?? countPromptTokens(promptText(conversation)),
      outputTokens:
        reply.usage?.outputTokens ??
        countCompletionTokens(
          text,
          toolCalls.map((call) => call.arguments),
        ),
      cacheReadInputTokens: reply.usage?.cacheReadInputTokens ?? limits.cache.readInputTokens,
      cacheCreationInputTokens: reply.usage?.cacheCreationInputTokens ?? limits.cache.creationInputTokens,
    },
  };
}
