import type { Conversation, ConversationMessage, Provider } from './types.js';

/** Flattens any provider content shape (string, parts array, blocks) into plain text. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(textOf).filter(Boolean).join('\n');
  if (content !== null && typeof content === 'object') {
    const part = content as Record<string, unknown>;
    if (typeof part.text === 'string') return part.text;
    if ('content' in part) return textOf(part.content);
    if ('output' in part) return textOf(part.output);
  }
  return '';
}

export function buildConversation(
  provider: Provider,
  api: Conversation['api'],
  model: string,
  messages: ConversationMessage[],
  toolNames: string[],
): Conversation {
  let toolRounds = 0;
  messages.forEach((message, i) => {
    if (message.role === 'tool' && messages[i - 1]?.role !== 'tool') toolRounds++;
  });
  const userMessages = messages.filter((m) => m.role === 'user');
  return {
    provider,
    api,
    model,
    messages,
    toolNames,
    toolResults: messages.filter((m) => m.role === 'tool').map((m) => m.text),
    toolRounds,
    lastUserText: userMessages.at(-1)?.text ?? '',
  };
}

/** All prompt text, for deterministic input-token counts. */
export function promptText(conversation: Conversation): string {
  return conversation.messages.map((m) => m.text).join('\n');
}
