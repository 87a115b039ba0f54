import type { Attributes } from '@opentelemetry/api';
import type { LlmCall, LlmToolCall } from '../decode/types.js';
import { ATTR } from './attribute-names.js';

/** Span name per the GenAI conventions: `{operation} {model}`. */
export function llmSpanName(call: LlmCall): string {
  const model = call.requestModel ?? call.responseModel;
  return model ? `${call.operation} ${model}` : call.operation;
}

/** Request, response and usage attributes (no message content); unset values and empty lists are left out. */
export function llmAttributes(call: LlmCall): Attributes {
  const { request, usage } = call;
  // Assigned one by one, in the order they are exported: this runs once per exchange.
  const attributes: Attributes = {
    [ATTR.genAiOperationName]: call.operation,
    [ATTR.genAiProviderName]: call.provider,
  };
  if (call.requestModel !== undefined) attributes[ATTR.genAiRequestModel] = call.requestModel;
  if (request.maxTokens !== undefined) attributes[ATTR.genAiRequestMaxTokens] = request.maxTokens;
  if (request.temperature !== undefined) attributes[ATTR.genAiRequestTemperature] = request.temperature;
  if (request.topP !== undefined) attributes[ATTR.genAiRequestTopP] = request.topP;
  if (request.stopSequences?.length) attributes[ATTR.genAiRequestStopSequences] = request.stopSequences;
  if (request.seed !== undefined) attributes[ATTR.genAiRequestSeed] = request.seed;
  attributes[ATTR.genAiRequestStream] = call.stream;
  if (call.responseId !== undefined) attributes[ATTR.genAiResponseId] = call.responseId;
  if (call.responseModel !== undefined) attributes[ATTR.genAiResponseModel] = call.responseModel;
  if (call.finishReasons.length > 0) attributes[ATTR.genAiResponseFinishReasons] = call.finishReasons;
  if (usage.inputTokens !== undefined) attributes[ATTR.genAiUsageInputTokens] = usage.inputTokens;
  if (usage.outputTokens !== undefined) attributes[ATTR.genAiUsageOutputTokens] = usage.outputTokens;
  if (usage.cacheReadInputTokens !== undefined) {
    attributes[ATTR.genAiUsageCacheReadInputTokens] = usage.cacheReadInputTokens;
  }
  if (usage.cacheCreationInputTokens !== undefined) {
    attributes[ATTR.genAiUsageCacheCreationInputTokens] = usage.cacheCreationInputTokens;
  }
  if (usage.reasoningOutputTokens !== undefined) {
    attributes[ATTR.genAiUsageReasoningOutputTokens] = usage.reasoningOutputTokens;
  }
  return attributes;
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
