/** Deterministic token accounting: ~4 characters per prompt token, one token per completion word. */

export function countPromptTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Tool-call arguments are not words; count them like prompt text. */
export function countCompletionTokens(text: string, toolArguments: string[]): number {
  const argumentTokens = toolArguments.reduce((sum, args) => sum + Math.ceil(args.length / 4), 0);
  return countWords(text) + argumentTokens;
}

/** Keeps at most `maxTokens` words, so a low max-tokens limit truncates deterministically. */
export function truncateToTokens(
  text: string,
  maxTokens: number | undefined,
): { text: string; truncated: boolean } {
  if (maxTokens === undefined || countWords(text) <= maxTokens) return { text, truncated: false };
  const words = text.match(/\S+\s*/g) ?? [];
  return { text: words.slice(0, maxTokens).join('').trimEnd(), truncated: true };
}

/**
 * Splits streamed text: one chunk per word (with its trailing whitespace) by default, or exactly
 * `count` chunks of near-equal length (some empty when the text is shorter than `count`).
 */
export function splitText(text: string, count?: number): string[] {
  if (count === undefined) return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
  const chunks: string[] = [];
  for (let i = 0; i < count; i++) {
    chunks.push(
      text.slice(Math.floor((i * text.length) / count), Math.floor(((i + 1) * text.length) / count)),
    );
  }
  return chunks;
}

const ARGUMENT_FRAGMENT_CHARS = 12;

/** Splits a JSON arguments string into fragments the way providers stream them. */
export function splitArguments(json: string): string[] {
  const fragments: string[] = [];
  for (let i = 0; i < json.length; i += ARGUMENT_FRAGMENT_CHARS) {
    fragments.push(json.slice(i, i + ARGUMENT_FRAGMENT_CHARS));
  }
  return fragments.length > 0 ? fragments : [''];
}
