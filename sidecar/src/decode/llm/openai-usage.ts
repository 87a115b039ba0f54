import type { LlmUsage } from '../types.js';
import { asNumber, asObject } from './json.js';

/** OpenAI usage, both shapes: chat (`prompt_tokens`) and responses (`input_tokens`). Cached input is included in the input count. */
export function openAiUsage(value: unknown): LlmUsage | undefined {
  const usage = asObject(value);
  if (!usage) return undefined;
  const inputDetails = asObject(usage.prompt_tokens_details) ?? asObject(usage.input_tokens_details);
  const outputDetails = asObject(usage.completion_tokens_details) ?? asObject(usage.output_tokens_details);
  const result: LlmUsage = {};
  const input = asNumber(usage.prompt_tokens) ?? asNumber(usage.input_tokens);
  const output = asNumber(usage.completion_tokens) ?? asNumber(usage.output_tokens);
  const cached = asNumber(inputDetails?.cached_tokens);
  const reasoning = asNumber(outputDetails?.reasoning_tokens);
  if (input !== undefined) result.inputTokens = input;
  if (output !== undefined) result.outputTokens = output;
  if (cached !== undefined) result.cacheReadInputTokens = cached;
  if (reasoning !== undefined) result.reasoningOutputTokens = reasoning;
  return result;
}
