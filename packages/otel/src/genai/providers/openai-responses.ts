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
  type ToolCallSummary,
} from '../summary.js';
import { openAIUsage, toolDefinitions } from './openai-chat.js';

function textParts(content: unknown): MessagePart[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((part: any): MessagePart => {
    if (typeof part?.text === 'string') return { type: 'text', content: part.text };
    if (part?.type === 'refusal') return { type: 'text', content: String(part.refusal ?? '') };
    return { type: String(part?.type ?? 'unknown') };
  });
}

/** Responses API input: a string, or items that are messages, function calls or function outputs. */
function inputMessages(input: unknown): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', parts: [{ type: 'text', content: input }] }];
  if (!Array.isArray(input)) return [];
  return input.map((item: any): ChatMessage => {
    if (item?.type === 'function_call') {
      return {
        role: 'assistant',
        parts: [
          { type: 'tool_call', id: item.call_id, name: item.name, arguments: parseArguments(item.arguments) },
        ],
      };
    }
    if (item?.type === 'function_call_output') {
      return {
        role: 'tool',
        parts: [{ type: 'tool_call_response', id: item.call_id, response: item.output }],
      };
    }
    return { role: String(item?.role ?? 'user'), parts: textParts(item?.content) };
  });
}

function summarizeResponse(response: any, captureContent: boolean): ResponseSummary {
  const output: any[] = Array.isArray(response?.output) ? response.output : [];
  const toolCalls: ToolCallSummary[] = [];
  const parts: MessagePart[] = [];
  for (const item of output) {
    if (item?.type === 'function_call') {
      toolCalls.push({
        id: item.call_id,
        name: String(item.name ?? ''),
        arguments: captureContent ? item.arguments : undefined,
      });
      if (captureContent) {
        parts.push({
          type: 'tool_call',
          id: item.call_id,
          name: item.name,
          arguments: parseArguments(item.arguments),
        });
      }
    } else if (captureContent && item?.type === 'message') {
      parts.push(...textParts(item.content));
    }
  }
  const status = response?.incomplete_details?.reason ?? response?.status;
  const finishReasons = status ? [String(status)] : undefined;
  return {
    id: response?.id,
    model: response?.model,
    finishReasons,
    usage: openAIUsage(response?.usage),
    toolCalls,
    outputMessages: captureContent
      ? [{ role: 'assistant', parts, finish_reason: finishReasons?.[0] }]
      : undefined,
  };
}

/** The terminal event of a Responses stream carries the whole response, so no deltas are folded. */
class ResponsesStreamAccumulator implements StreamAccumulator {
  private final?: any;
  private started?: any;

  constructor(private readonly captureContent: boolean) {}

  add(event: any): void {
    const type = event?.type;
    if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
      this.final = event.response;
    } else if (type === 'response.created') {
      this.started = event.response;
    }
  }

  summary(): ResponseSummary {
    return summarizeResponse(this.final ?? this.started, this.captureContent);
  }
}

export const openAIResponses: OperationAdapter = {
  provider: 'openai',
  operation: 'chat',
  requestAttributes(body) {
    const attributes: Attributes = {};
    setDefined(attributes, ATTR.requestModel, body.model);
    setDefined(attributes, ATTR.requestMaxTokens, body.max_output_tokens);
    setDefined(attributes, ATTR.requestTemperature, body.temperature);
    setDefined(attributes, ATTR.requestTopP, body.top_p);
    const format = body.text?.format?.type;
    if (format === 'json_schema' || format === 'json_object') attributes[ATTR.outputType] = 'json';
    attributes[ATTR.requestStream] = body.stream === true;
    return attributes;
  },
  requestContent(body) {
    const attributes: Attributes = {};
    setDefined(attributes, ATTR.inputMessages, JSON.stringify(inputMessages(body.input)));
    if (typeof body.instructions === 'string') {
      attributes[ATTR.systemInstructions] = JSON.stringify([{ type: 'text', content: body.instructions }]);
    }
    setDefined(attributes, ATTR.toolDefinitions, toolDefinitions(body.tools));
    return attributes;
  },
  summarize: summarizeResponse,
  accumulator: (captureContent) => new ResponsesStreamAccumulator(captureContent),
};
