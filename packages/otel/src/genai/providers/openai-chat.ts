import type { Attributes } from '@opentelemetry/api';
import { ATTR } from '../attributes.js';
import {
  type ChatMessage,
  type MessagePart,
  type OperationAdapter,
  parseArguments,
  type ResponseSummary,
  type StreamAccumulator,
  setDefined,
  stopSequences,
  type ToolCallSummary,
  type Usage,
} from '../summary.js';

function contentParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((part: any): MessagePart => {
    if (part?.type === 'text') return { type: 'text', content: String(part.text ?? '') };
    if (part?.type === 'refusal') return { type: 'text', content: String(part.refusal ?? '') };
    return { type: String(part?.type ?? 'unknown') };
  });
}

function toolCallParts(toolCalls: unknown): MessagePart[] {
  if (!Array.isArray(toolCalls)) return [];
  return toolCalls.map((call: any) => ({
    type: 'tool_call',
    id: call?.id,
    name: String(call?.function?.name ?? call?.custom?.name ?? ''),
    arguments: parseArguments(call?.function?.arguments ?? call?.custom?.input),
  }));
}

export function chatInputMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((message: any): ChatMessage => {
    if (message?.role === 'tool') {
      return {
        role: 'tool',
        parts: [{ type: 'tool_call_response', id: message.tool_call_id, response: message.content }],
      };
    }
    return {
      role: String(message?.role ?? 'user'),
      parts: [...contentParts(message?.content), ...toolCallParts(message?.tool_calls)],
    };
  });
}

export function toolDefinitions(tools: unknown): string | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return JSON.stringify(
    tools.map((tool: any) => {
      const fn = tool?.function ?? tool;
      return {
        type: tool?.type ?? 'function',
        name: fn?.name,
        description: fn?.description,
        parameters: fn?.parameters,
      };
    }),
  );
}

export function openAIUsage(usage: any): Usage | undefined {
  if (!usage) return undefined;
  return {
    input: usage.prompt_tokens ?? usage.input_tokens,
    output: usage.completion_tokens ?? usage.output_tokens,
    cacheRead: usage.prompt_tokens_details?.cached_tokens ?? usage.input_tokens_details?.cached_tokens,
    reasoning:
      usage.completion_tokens_details?.reasoning_tokens ?? usage.output_tokens_details?.reasoning_tokens,
  };
}

function summarizeChat(response: any, captureContent: boolean): ResponseSummary {
  const choices: any[] = Array.isArray(response?.choices) ? response.choices : [];
  const toolCalls: ToolCallSummary[] = [];
  for (const choice of choices) {
    for (const call of choice?.message?.tool_calls ?? []) {
      toolCalls.push({
        id: call?.id,
        name: String(call?.function?.name ?? call?.custom?.name ?? ''),
        arguments: captureContent ? (call?.function?.arguments ?? call?.custom?.input) : undefined,
      });
    }
  }
  return {
    id: response?.id,
    model: response?.model,
    finishReasons: choices.map((choice) => String(choice?.finish_reason ?? '')),
    usage: openAIUsage(response?.usage),
    toolCalls,
    outputMessages: captureContent
      ? choices.map((choice) => ({
          role: String(choice?.message?.role ?? 'assistant'),
          parts: [...contentParts(choice?.message?.content), ...toolCallParts(choice?.message?.tool_calls)],
          finish_reason: choice?.finish_reason ?? undefined,
        }))
      : undefined,
  };
}

interface StreamedChoice {
  text: string;
  finishReason?: string;
  toolCalls: Map<number, { id?: string; name: string; arguments: string }>;
}

/** Chunks carry deltas per choice; text and arguments are appended only when content is captured. */
class ChatStreamAccumulator implements StreamAccumulator {
  private id?: string;
  private model?: string;
  private usage?: Usage;
  private readonly choices = new Map<number, StreamedChoice>();

  constructor(private readonly captureContent: boolean) {}

  add(chunk: any): void {
    if (this.id === undefined && chunk?.id) this.id = chunk.id;
    if (this.model === undefined && chunk?.model) this.model = chunk.model;
    if (chunk?.usage) this.usage = openAIUsage(chunk.usage);
    const deltas = chunk?.choices;
    if (!deltas) return;
    for (let i = 0; i < deltas.length; i++) {
      const choice = deltas[i];
      const index = choice.index ?? 0;
      let state = this.choices.get(index);
      if (!state) this.choices.set(index, (state = { text: '', toolCalls: new Map() }));
      if (choice.finish_reason) state.finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (!delta) continue;
      if (this.captureContent && typeof delta.content === 'string') state.text += delta.content;
      if (delta.tool_calls) this.addToolCalls(state, delta.tool_calls);
    }
  }

  private addToolCalls(state: StreamedChoice, deltas: any[]): void {
    for (const delta of deltas) {
      const index = delta.index ?? 0;
      let call = state.toolCalls.get(index);
      if (!call) state.toolCalls.set(index, (call = { name: '', arguments: '' }));
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name += delta.function.name;
      if (this.captureContent && delta.function?.arguments) call.arguments += delta.function.arguments;
    }
  }

  summary(): ResponseSummary {
    const choices = [...this.choices.entries()].sort(([a], [b]) => a - b).map(([, state]) => state);
    const toolCalls: ToolCallSummary[] = choices.flatMap((state) =>
      [...state.toolCalls.values()].map((call) => ({
        id: call.id,
        name: call.name,
        arguments: this.captureContent ? call.arguments : undefined,
      })),
    );
    return {
      id: this.id,
      model: this.model,
      finishReasons: choices.map((state) => state.finishReason ?? ''),
      usage: this.usage,
      toolCalls,
      outputMessages: this.captureContent
        ? choices.map((state) => ({
            role: 'assistant',
            parts: [
              ...(state.text ? [{ type: 'text', content: state.text }] : []),
              ...[...state.toolCalls.values()].map((call) => ({
                type: 'tool_call',
                id: call.id,
                name: call.name,
                arguments: parseArguments(call.arguments),
              })),
            ],
            finish_reason: state.finishReason,
          }))
        : undefined,
    };
  }
}

export const openAIChat: OperationAdapter = {
  provider: 'openai',
  operation: 'chat',
  requestAttributes(body) {
    const attributes: Attributes = {};
    setDefined(attributes, ATTR.requestModel, body.model);
    setDefined(attributes, ATTR.requestMaxTokens, body.max_completion_tokens ?? body.max_tokens);
    setDefined(attributes, ATTR.requestTemperature, body.temperature);
    setDefined(attributes, ATTR.requestTopP, body.top_p);
    setDefined(attributes, ATTR.requestStopSequences, stopSequences(body.stop));
    setDefined(attributes, ATTR.requestSeed, body.seed);
    setDefined(attributes, ATTR.requestFrequencyPenalty, body.frequency_penalty);
    setDefined(attributes, ATTR.requestPresencePenalty, body.presence_penalty);
    if (typeof body.n === 'number' && body.n !== 1) attributes[ATTR.requestChoiceCount] = body.n;
    const format = body.response_format?.type;
    if (format === 'json_schema' || format === 'json_object') attributes[ATTR.outputType] = 'json';
    attributes[ATTR.requestStream] = body.stream === true;
    return attributes;
  },
  requestContent(body) {
    const attributes: Attributes = {};
    setDefined(attributes, ATTR.inputMessages, JSON.stringify(chatInputMessages(body.messages)));
    setDefined(attributes, ATTR.toolDefinitions, toolDefinitions(body.tools));
    return attributes;
  },
  summarize: summarizeChat,
  accumulator: (captureContent) => new ChatStreamAccumulator(captureContent),
};
