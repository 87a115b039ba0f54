import type { Attributes } from '@opentelemetry/api';
import { ATTR } from '../attributes.js';
import {
  type ChatMessage,
  type MessagePart,
  type OperationAdapter,
  type ResponseSummary,
  type StreamAccumulator,
  setDefined,
  type ToolCallSummary,
  type Usage,
} from '../summary.js';

function blockPart(block: any): MessagePart {
  switch (block?.type) {
    case 'text':
      return { type: 'text', content: String(block.text ?? '') };
    case 'thinking':
      return { type: 'reasoning', content: String(block.thinking ?? '') };
    case 'tool_use':
    case 'server_tool_use':
      return { type: 'tool_call', id: block.id, name: String(block.name ?? ''), arguments: block.input };
    case 'tool_result':
      return { type: 'tool_call_response', id: block.tool_use_id, response: block.content };
    default:
      return { type: String(block?.type ?? 'unknown') };
  }
}

function parts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  return Array.isArray(content) ? content.map(blockPart) : [];
}

function inputMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((message: any) => ({
    role: String(message?.role ?? 'user'),
    parts: parts(message?.content),
  }));
}

function toolDefinitions(tools: unknown): string | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return JSON.stringify(
    tools.map((tool: any) => ({
      type: tool?.input_schema ? 'function' : String(tool?.type ?? 'function'),
      name: tool?.name,
      description: tool?.description,
      parameters: tool?.input_schema,
    })),
  );
}

/** The semconv counts cached prompt tokens as input; Anthropic reports them apart from `input_tokens`. */
function usage(raw: any): Usage | undefined {
  if (!raw) return undefined;
  const cacheRead = raw.cache_read_input_tokens ?? undefined;
  const cacheCreation = raw.cache_creation_input_tokens ?? undefined;
  const input =
    raw.input_tokens === undefined || raw.input_tokens === null
      ? undefined
      : raw.input_tokens + (cacheRead ?? 0) + (cacheCreation ?? 0);
  return { input, output: raw.output_tokens ?? undefined, cacheRead, cacheCreation };
}

function summarizeMessage(message: any, captureContent: boolean): ResponseSummary {
  const content: any[] = Array.isArray(message?.content) ? message.content : [];
  const toolCalls: ToolCallSummary[] = content
    .filter((block) => block?.type === 'tool_use' || block?.type === 'server_tool_use')
    .map((block) => ({
      id: block.id,
      name: String(block.name ?? ''),
      arguments: captureContent ? JSON.stringify(block.input ?? {}) : undefined,
    }));
  const stopReason = message?.stop_reason ?? undefined;
  return {
    id: message?.id,
    model: message?.model,
    finishReasons: stopReason ? [stopReason] : undefined,
    usage: usage(message?.usage),
    toolCalls,
    outputMessages: captureContent
      ? [
          {
            role: String(message?.role ?? 'assistant'),
            parts: content.map(blockPart),
            finish_reason: stopReason,
          },
        ]
      : undefined,
  };
}

interface StreamedBlock {
  type: string;
  id?: string;
  name?: string;
  text: string;
}

/**
 * `message_start` carries id, model and input usage; `message_delta` the stop reason and final output
 * usage. Text and tool input deltas are kept only when content is captured.
 */
class MessagesStreamAccumulator implements StreamAccumulator {
  private message: any;
  private stopReason?: string;
  private finalUsage: any;
  private readonly blocks: StreamedBlock[] = [];

  constructor(private readonly captureContent: boolean) {}

  add(event: any): void {
    switch (event?.type) {
      case 'message_start':
        this.message = event.message;
        break;
      case 'content_block_start': {
        const block = event.content_block;
        this.blocks[event.index] = { type: block?.type, id: block?.id, name: block?.name, text: '' };
        break;
      }
      case 'content_block_delta':
        if (this.captureContent) this.addDelta(event);
        break;
      case 'message_delta':
        if (event.delta?.stop_reason) this.stopReason = event.delta.stop_reason;
        if (event.usage) this.finalUsage = event.usage;
        break;
    }
  }

  private addDelta(event: any): void {
    const block = this.blocks[event.index];
    const delta = event.delta;
    if (!block || !delta) return;
    const piece = delta.text ?? delta.partial_json ?? delta.thinking;
    if (typeof piece === 'string') block.text += piece;
  }

  summary(): ResponseSummary {
    // Usage in message_delta is cumulative; fields it omits keep their message_start values.
    const raw = { ...this.message?.usage, ...stripNulls(this.finalUsage) };
    const content = this.blocks.filter(Boolean).map((block) => {
      if (block.type === 'tool_use' || block.type === 'server_tool_use') {
        return { type: block.type, id: block.id, name: block.name, input: parseJson(block.text) };
      }
      if (block.type === 'thinking') return { type: 'thinking', thinking: block.text };
      return { type: block.type, text: block.text };
    });
    return summarizeMessage(
      { ...this.message, content, stop_reason: this.stopReason ?? this.message?.stop_reason, usage: raw },
      this.captureContent,
    );
  }
}

function stripNulls(value: any): Record<string, unknown> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined));
}

function parseJson(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const anthropicMessages: OperationAdapter = {
  provider: 'anthropic',
  operation: 'chat',
  requestAttributes(body) {
    const attributes: Attributes = {};
    setDefined(attributes, ATTR.requestModel, body.model);
    setDefined(attributes, ATTR.requestMaxTokens, body.max_tokens);
    setDefined(attributes, ATTR.requestTemperature, body.temperature);
    setDefined(attributes, ATTR.requestTopP, body.top_p);
    setDefined(attributes, ATTR.requestTopK, body.top_k);
    setDefined(attributes, ATTR.requestStopSequences, body.stop_sequences);
    attributes[ATTR.requestStream] = body.stream === true;
    return attributes;
  },
  requestContent(body) {
    const attributes: Attributes = {};
    setDefined(attributes, ATTR.inputMessages, JSON.stringify(inputMessages(body.messages)));
    if (body.system !== undefined) {
      attributes[ATTR.systemInstructions] = JSON.stringify(parts(body.system));
    }
    setDefined(attributes, ATTR.toolDefinitions, toolDefinitions(body.tools));
    return attributes;
  },
  summarize: summarizeMessage,
  accumulator: (captureContent) => new MessagesStreamAccumulator(captureContent),
};
