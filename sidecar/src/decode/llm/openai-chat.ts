/** OpenAI chat completions (`/v1/chat/completions`), plain and streamed. */
import type { LlmCall, LlmMessage, LlmToolCall } from '../types.js';
import { forEachJsonEvent, type LlmApiDecoder } from './api.js';
import { contentText } from './content.js';
import { errorFromJson } from './errors.js';
import { asArray, asNumber, asObject, asString, type JsonObject } from './json.js';
import { JsonProjector } from './json-projection.js';
import { openAiUsage } from './openai-usage.js';
import { readRequestParams } from './request-params.js';

interface ChoiceState {
  text: string;
  finishReason?: string;
  /** By the `index` the stream gives each tool call. */
  toolCalls: Map<number, LlmToolCall>;
}

/** Reads stream chunks: readStream uses these keys and no others. */
const CHUNKS = new JsonProjector({
  error: true,
  id: true,
  model: true,
  choices: { index: true, delta: { content: true, refusal: true, tool_calls: true }, finish_reason: true },
  usage: true,
});

export const openAiChat: LlmApiDecoder = {
  readRequest(call, body) {
    readRequestParams(call, body, ['max_completion_tokens', 'max_tokens']);
    call.inputMessages = asArray(body.messages).map(chatMessage);
  },

  readResponse(call, body) {
    readIdentity(call, body);
    const choices = new Map<number, ChoiceState>();
    for (const value of asArray(body.choices)) {
      const choice = asObject(value);
      if (!choice) continue;
      const message = asObject(choice.message);
      const state = choiceState(choices, asNumber(choice.index) ?? choices.size);
      state.text = asString(message?.content) ?? asString(message?.refusal) ?? '';
      state.finishReason = asString(choice.finish_reason);
      asArray(message?.tool_calls).forEach((tool, index) => {
        state.toolCalls.set(index, toolCallFrom(asObject(tool)));
      });
    }
    applyChoices(call, choices);
    call.usage = openAiUsage(body.usage) ?? call.usage;
  },

  readStream(call, events) {
    const choices = new Map<number, ChoiceState>();
    forEachJsonEvent(events, CHUNKS, (chunk) => {
      if (chunk.error !== undefined) {
        call.error = errorFromJson(chunk);
        return;
      }
      readIdentity(call, chunk);
      for (const value of asArray(chunk.choices)) {
        const choice = asObject(value);
        if (!choice) continue;
        const state = choiceState(choices, asNumber(choice.index) ?? 0);
        const delta = asObject(choice.delta);
        state.text += asString(delta?.content) ?? asString(delta?.refusal) ?? '';
        for (const fragment of asArray(delta?.tool_calls)) mergeToolCallFragment(state, asObject(fragment));
        state.finishReason = asString(choice.finish_reason) ?? state.finishReason;
      }
      // With stream_options.include_usage the last chunk carries usage and no choices.
      call.usage = openAiUsage(chunk.usage) ?? call.usage;
    });
    applyChoices(call, choices);
  },
};

function readIdentity(call: LlmCall, body: JsonObject): void {
  call.responseId = asString(body.id) ?? call.responseId;
  call.responseModel = asString(body.model) ?? call.responseModel;
}

function chatMessage(value: unknown): LlmMessage {
  const message = asObject(value);
  const parts = [contentText(message?.content)];
  for (const tool of asArray(message?.tool_calls)) {
    const call = toolCallFrom(asObject(tool));
    parts.push(`[tool_call ${call.name}(${call.id ?? ''}): ${call.arguments}]`);
  }
  return {
    role: asString(message?.role) ?? 'unknown',
    content: parts.filter((p) => p.length > 0).join('\n'),
  };
}

function toolCallFrom(tool: JsonObject | undefined): LlmToolCall {
  const fn = asObject(tool?.function);
  const call: LlmToolCall = { name: asString(fn?.name) ?? '', arguments: asString(fn?.arguments) ?? '' };
  const id = asString(tool?.id);
  if (id !== undefined) call.id = id;
  return call;
}

/** Streamed tool calls arrive as fragments keyed by `index`: the first has id and name, all add argument text. */
function mergeToolCallFragment(state: ChoiceState, fragment: JsonObject | undefined): void {
  if (!fragment) return;
  const index = asNumber(fragment.index) ?? state.toolCalls.size;
  const fn = asObject(fragment.function);
  let call = state.toolCalls.get(index);
  if (!call) {
    call = { name: '', arguments: '' };
    state.toolCalls.set(index, call);
  }
  const id = asString(fragment.id);
  if (id) call.id = id;
  const name = asString(fn?.name);
  if (name && !call.name) call.name = name;
  call.arguments += asString(fn?.arguments) ?? '';
}

function choiceState(choices: Map<number, ChoiceState>, index: number): ChoiceState {
  let state = choices.get(index);
  if (!state) {
    state = { text: '', toolCalls: new Map() };
    choices.set(index, state);
  }
  return state;
}

/** n > 1: texts are joined with a blank line, tool calls and finish reasons listed in choice order. */
function applyChoices(call: LlmCall, choices: Map<number, ChoiceState>): void {
  const ordered = [...choices.entries()].sort(([a], [b]) => a - b).map(([, state]) => state);
  call.outputText = ordered.map((state) => state.text).join('\n\n');
  call.toolCalls = ordered.flatMap((state) =>
    [...state.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, tool]) => tool),
  );
  call.finishReasons = ordered.flatMap((state) => (state.finishReason ? [state.finishReason] : []));
}
