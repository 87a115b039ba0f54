import type { PlannedUsage } from '../completion.js';

/** OpenAI counts cached tokens inside the prompt total, so the cached share can never exceed it. */
export function openaiUsage(usage: PlannedUsage): {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
} {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cachedTokens: Math.min(usage.cacheReadInputTokens, usage.inputTokens),
  };
}
