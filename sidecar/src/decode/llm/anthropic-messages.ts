/** Anthropic Messages API (`/v1/messages`), plain and streamed. */
import type { LlmCall, LlmToolCall, LlmUsage } from '../types.js';
import { forEachJsonEvent, type LlmApiDecoder } from './api.js';
import { contentText } from './content.js';
import { errorFromJson } from './errors.js';
import { asArray, asNumber, asObject, asString, type JsonObject } from './json.js';
import { JsonProjector } from './json-projection.js';
import { readRequestParams } from './request-params.js';

interface BlockState {
  type: string;
  text: string;
  tool?: LlmToolCall;
}

/** Reads stream events: readStream uses these keys and no others. */
const EVENTS = new JsonProjector({
  type: true,
  index: true,
  message: true,
  content_block: true,
  delta: { type: true, text: true, partial_json: true, stop_reason: true },
  usage: true,
  error: true,
});

export const anthropicMessages: LlmApiDecoder = {
  readRequest(call, body) {
    readRequestParams(call, body, ['max_tokens']);
    if (body.system !== undefined) call.systemInstructions = contentText(body.system);
    call.inputMessages = asArray(body.messages).map((value) => {
      const message = asObject(value);
      return { role: asString(message?.role) ?? 'unknown', content: contentText(message?.content) };
    });
  },

  readResponse(call, body) {
    readMessageIdentity(call, body);
    call.usage = usageFrom(mergeUsage({}, asObject(body.usage)));
    const blocks: BlockState[] = asArray(body.content).map((value) => {
      const block = asObject(value) ?? {};
      const type = asString(block.type) ?? '';
      if (type === 'tool_use')
        return { type, text: '', tool: toolUse(block, JSON.stringify(block.input ?? {})) };
      return { type, text: asString(block.text) ?? '' };
    });
    applyBlocks(call, blocks);
    const stopReason = asString(body.stop_reason);
    if (stopReason) call.finishReasons = [stopReason];
  },

  readStream(call, events) {
    const blocks = new Map<number, BlockState>();
    const usage: RawUsage = {};
    forEachJsonEvent(events, EVENTS, (data) => {
      const index = asNumber(data.index) ?? 0;
      switch (data.type) {
        case 'message_start': {
          const message = asObject(data.message) ?? {};
          readMessageIdentity(call, message);
          mergeUsage(usage, asObject(message.usage));
          break;
        }
        case 'content_block_start': {
          const block = asObject(data.content_block) ?? {};
          const type = asString(block.type) ?? '';
          // tool_use starts with `input: {}`; the real input arrives as input_json_delta fragments.
          blocks.set(index, {
            type,
            text: asString(block.text) ?? '',
            tool: type === 'tool_use' ? toolUse(block, '') : undefined,
          });
          break;
        }
        case 'content_block_delta': {
          const delta = asObject(data.delta);
          const block = blocks.get(index) ?? { type: 'text', text: '' };
          blocks.set(index, block);
          if (delta?.type === 'text_delta') block.text += asString(delta.text) ?? '';
          else if (delta?.type === 'input_json_delta' && block.tool) {
            block.tool.arguments += asString(delta.partial_json) ?? '';
          }
          break;
        }
        case 'message_delta': {
          const stopReason = asString(asObject(data.delta)?.stop_reason);
          if (stopReason) call.finishReasons = [stopReason];
          mergeUsage(usage, asObject(data.usage));
          break;
        }
        case 'error':
          call.error = errorFromJson(data);
          break;
      }
    });
    for (const block of blocks.values()) {
      if (block.tool && block.tool.arguments === '') block.tool.arguments = '{}';
    }
    applyBlocks(
      call,
      [...blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block),
    );
    call.usage = usageFrom(usage);
  },
};

function readMessageIdentity(call: LlmCall, message: JsonObject): void {
  call.responseId = asString(message.id) ?? call.responseId;
  call.responseModel = asString(message.model) ?? call.responseModel;
}

function toolUse(block: JsonObject, args: string): LlmToolCall {
  const tool: LlmToolCall = { name: asString(block.name) ?? '', arguments: args };
  const id = asString(block.id);
  if (id !== undefined) tool.id = id;
  return tool;
}

function applyBlocks(call: LlmCall, blocks: BlockState[]): void {
  call.outputText = blocks
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join('');
  call.toolCalls = blocks.flatMap((block) => (block.tool ? [block.tool] : []));
}

interface RawUsage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheCreation?: number;
}

/** Streams repeat or update counts (message_start, then message_delta): the last value of each wins. */
function mergeUsage(raw: RawUsage, usage: JsonObject | undefined): RawUsage {
  if (!usage) return raw;
  raw.input = asNumber(usage.input_tokens) ?? raw.input;
  raw.output = asNumber(usage.output_tokens) ?? raw.output;
  raw.cacheRead = asNumber(usage.cache_read_input_tokens) ?? raw.cacheRead;
  raw.cacheCreation = asNumber(usage.cache_creation_input_tokens) ?? raw.cacheCreation;
  return raw;
}

/**
 * Anthropic reports uncached input, cache reads and cache writes separately; GenAI `input_tokens` is
 * their sum. The cache counts are kept as well.
 */
function usageFrom(raw: RawUsage): LlmUsage {
  const usage: LlmUsage = {};
  if (raw.input !== undefined || raw.cacheRead !== undefined || raw.cacheCreation !== undefined) {
    usage.inputTokens = (raw.input ?? 0) + (raw.cacheRead ?? 0) + (raw.cacheCreation ?? 0);
  }
  if (raw.output !== undefined) usage.outputTokens = raw.output;
  if (raw.cacheRead !== undefined) usage.cacheReadInputTokens = raw.cacheRead;
  if (raw.cacheCreation !== undefined) usage.cacheCreationInputTokens = raw.cacheCreation;
  return usage;
}
