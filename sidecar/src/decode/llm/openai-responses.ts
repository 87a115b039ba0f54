/** OpenAI Responses API (`/v1/responses`), plain and streamed. */
import type { LlmCall, LlmMessage, LlmToolCall } from '../types.js';
import { forEachJsonEvent, type LlmApiDecoder } from './api.js';
import { contentText } from './content.js';
import { asArray, asNumber, asObject, asString, type JsonObject } from './json.js';
import { JsonProjector } from './json-projection.js';
import { openAiUsage } from './openai-usage.js';
import { readRequestParams } from './request-params.js';

/** Final events of a response stream; each carries the whole response object. */
const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** Reads stream events: readStream uses these keys and no others. */
const EVENTS = new JsonProjector({
  type: true,
  output_index: true,
  response: true,
  delta: true,
  item: true,
  arguments: true,
  code: true,
  message: true,
});

export const openAiResponses: LlmApiDecoder = {
  readRequest(call, body) {
    readRequestParams(call, body, ['max_output_tokens']);
    const instructions = asString(body.instructions);
    if (instructions !== undefined) call.systemInstructions = instructions;
    const input = body.input;
    const text = asString(input);
    call.inputMessages =
      text !== undefined ? [{ role: 'user', content: text }] : asArray(input).map(inputItem);
  },

  readResponse(call, body) {
    readFinalResponse(call, body);
  },

  readStream(call, events) {
    // Deltas are assembled as a fallback; the final event's full response wins when it has output.
    const texts = new Map<number, string>();
    const tools = new Map<number, LlmToolCall>();
    forEachJsonEvent(events, EVENTS, (data) => {
      const type = asString(data.type) ?? '';
      const index = asNumber(data.output_index) ?? 0;
      if (type === 'response.created' || type === 'response.in_progress') {
        const response = asObject(data.response);
        call.responseId = asString(response?.id) ?? call.responseId;
        call.responseModel = asString(response?.model) ?? call.responseModel;
      } else if (type === 'response.output_text.delta') {
        texts.set(index, (texts.get(index) ?? '') + (asString(data.delta) ?? ''));
      } else if (type === 'response.output_item.added' || type === 'response.output_item.done') {
        const item = asObject(data.item);
        if (item?.type === 'function_call') tools.set(index, functionCall(item, tools.get(index)));
      } else if (type === 'response.function_call_arguments.delta') {
        const tool = tools.get(index) ?? { name: '', arguments: '' };
        tool.arguments += asString(data.delta) ?? '';
        tools.set(index, tool);
      } else if (type === 'response.function_call_arguments.done') {
        const tool = tools.get(index) ?? { name: '', arguments: '' };
        tool.arguments = asString(data.arguments) ?? tool.arguments;
        tools.set(index, tool);
      } else if (type === 'error') {
        call.error = { type: asString(data.code) ?? 'error', message: asString(data.message) ?? '' };
      } else if (FINAL_EVENTS.has(type)) {
        const response = asObject(data.response);
        if (response) readFinalResponse(call, response);
      }
    });
    if (call.outputText === '' && call.toolCalls.length === 0) {
      call.outputText = [...texts.entries()]
        .sort(([a], [b]) => a - b)
        .map(([, text]) => text)
        .join('');
      call.toolCalls = [...tools.entries()].sort(([a], [b]) => a - b).map(([, tool]) => tool);
    }
  },
};

function readFinalResponse(call: LlmCall, response: JsonObject): void {
  call.responseId = asString(response.id) ?? call.responseId;
  call.responseModel = asString(response.model) ?? call.responseModel;
  const texts: string[] = [];
  const tools: LlmToolCall[] = [];
  for (const value of asArray(response.output)) {
    const item = asObject(value);
    if (item?.type === 'message') texts.push(contentText(item.content));
    else if (item?.type === 'function_call') tools.push(functionCall(item, undefined));
  }
  if (texts.length > 0 || tools.length > 0) {
    call.outputText = texts.join('');
    call.toolCalls = tools;
  }
  const status = asString(response.status);
  const incompleteReason = asString(asObject(response.incomplete_details)?.reason);
  if (status) call.finishReasons = [status === 'incomplete' && incompleteReason ? incompleteReason : status];
  call.usage = openAiUsage(response.usage) ?? call.usage;
  const error = asObject(response.error);
  if (error)
    call.error = {
      type: asString(error.code) ?? asString(error.type) ?? 'error',
      message: asString(error.message) ?? '',
    };
}

function functionCall(item: JsonObject, previous: LlmToolCall | undefined): LlmToolCall {
  const tool: LlmToolCall = {
    name: asString(item.name) ?? previous?.name ?? '',
    arguments: asString(item.arguments) || previous?.arguments || '',
  };
  const id = asString(item.call_id) ?? previous?.id;
  if (id !== undefined) tool.id = id;
  return tool;
}

function inputItem(value: unknown): LlmMessage {
  const item = asObject(value);
  if (!item) return { role: 'user', content: asString(value) ?? '' };
  switch (item.type) {
    case 'function_call':
      return {
        role: 'assistant',
        content: `[tool_call ${asString(item.name) ?? ''}(${asString(item.call_id) ?? ''}): ${asString(item.arguments) ?? ''}]`,
      };
    case 'function_call_output':
      return {
        role: 'tool',
        content: `[tool_result ${asString(item.call_id) ?? ''}] ${contentText(item.output)}`,
      };
    default:
      return { role: asString(item.role) ?? 'user', content: contentText(item.content) };
  }
}
