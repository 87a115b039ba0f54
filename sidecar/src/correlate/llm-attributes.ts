import type { Attributes } from '@opentelemetry/api';
import type { LlmCall, LlmToolCall } from '../decode/types.js';
import { ATTR } from './attribute-names.js';

/** Span name per the GenAI conventions: `{operation} {model}`. */
export function llmSpanName(call: LlmCall): string {
  const model = call.requestModel ?? call.responseModel;
  return model ? `${call.operation} ${model}` : call.operation;
}

function defined(entries: Record<string, Attributes[string] | undefined>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) out[key] = value;
  }
  return out;
}

/** Request, response and usage attributes (no message content). */
export function llmAttributes(call: LlmCall): Attributes {
  return defined({
    [ATTR.genAiOperationName]: call.operation,
    [ATTR.genAiProviderName]: call.provider,
    [ATTR.genAiRequestModel]: call.requestModel,
    [ATTR.genAiRequestMaxTokens]: call.request.maxTokens,
    [ATTR.genAiRequestTemperature]: call.request.temperature,
    [ATTR.genAiRequestTopP]: call.request.topP,
    [ATTR.genAiRequestStopSequences]: call.request.stopSequences,
    [ATTR.genAiRequestSeed]: call.request.seed,
    [ATTR.genAiRequestStream]: call.stream,
    [ATTR.genAiResponseId]: call.responseId,
    [ATTR.genAiResponseModel]: call.responseModel,
    [ATTR.genAiResponseFinishReasons]: call.finishReasons,
    [ATTR.genAiUsageInputTokens]: call.usage.inputTokens,
    [ATTR.genAiUsageOutputTokens]: call.usage.outputTokens,
    [ATTR.genAiUsageCacheReadInputTokens]: call.usage.cacheReadInputTokens,
    [ATTR.genAiUsageCacheCreationInputTokens]: call.usage.cacheCreationInputTokens,
    [ATTR.genAiUsageReasoningOutputTokens]: call.usage.reasoningOutputTokens,
  });
}

function toolCallArguments(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function toolCallPart(call: LlmToolCall): Record<string, unknown> {
  return {
    type: 'tool_call',
    ...(call.id ? { id: call.id } : {}),
    name: call.name,
    arguments: toolCallArguments(call.arguments),
  };
}

/**
 * Message content in the GenAI conventions' JSON shape (`{role, parts[]}`); only written when
 * content capture is on, as in the in-process SDK.
 */
export function llmContentAttributes(call: LlmCall): Attributes {
  const attributes: Attributes = {
    [ATTR.genAiInputMessages]: JSON.stringify(
      call.inputMessages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })),
    ),
  };
  if (call.systemInstructions) {
    attributes[ATTR.genAiSystemInstructions] = JSON.stringify([
      { type: 'text', content: call.systemInstructions },
    ]);
  }
  if (call.operation === 'chat') {
    const parts = [
      ...(call.outputText ? [{ type: 'text', content: call.outputText }] : []),
      ...call.toolCalls.map(toolCallPart),
    ];
    const finishReason = call.finishReasons[0];
    attributes[ATTR.genAiOutputMessages] = JSON.stringify([
      { role: 'assistant', parts, ...(finishReason ? { finish_reason: finishReason } : {}) },
    ]);
  }
  return attributes;
}
