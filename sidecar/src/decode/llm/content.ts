import { asArray, asObject, asString } from './json.js';

/**
 * Flattens message content (a string, or OpenAI / Anthropic content parts) to text. Non-text parts
 * are summarised as `[kind]` so a reader sees they were there; tool results keep their text.
 */
export function contentText(content: unknown): string {
  const text = asString(content);
  if (text !== undefined) return text;
  return asArray(content)
    .map(partText)
    .filter((part) => part.length > 0)
    .join('\n');
}

function partText(value: unknown): string {
  const part = asObject(value);
  if (!part) return asString(value) ?? '';
  const type = asString(part.type) ?? '';
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return asString(part.text) ?? '';
    case 'refusal':
      return asString(part.refusal) ?? '';
    case 'tool_use':
      return `[tool_use ${asString(part.name) ?? ''}(${asString(part.id) ?? ''}): ${JSON.stringify(part.input ?? {})}]`;
    case 'tool_result':
      return `[tool_result ${asString(part.tool_use_id) ?? ''}] ${contentText(part.content)}`;
    case 'thinking':
    case 'redacted_thinking':
      return '';
    default:
      return `[${type || 'part'}]`;
  }
}
