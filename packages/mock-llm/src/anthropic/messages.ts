import { type Completion, planCompletion } from '../completion.js';
import { buildConversation, promptText, textOf } from '../conversation.js';
import { type Endpoint, isObject, type ReplyContext } from '../endpoint.js';
import { newId } from '../ids.js';
import { countPromptTokens, splitArguments } from '../tokens.js';
import type { Conversation, ConversationMessage } from '../types.js';

const STOP_REASONS = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' } as const;

/** `POST /v1/messages` (also `?beta=true`), plain and streamed. */
export const messagesEndpoint: Endpoint = {
  provider: 'anthropic',
  prepare(body) {
    if (!isObject(body)) return 'request body must be a JSON object';
    if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
    const conversation = toConversation(body);
    if (typeof conversation === 'string') return conversation;
    const model = conversation.model;
    const maxTokens = body.max_tokens;
    return {
      conversation,
      async respond(context) {
        const completion = planCompletion(context.reply ?? {}, conversation, {
          maxTokens,
          chunks: context.chunks,
          cache: context.cache,
          toolIdPrefix: 'toolu_01',
        });
        const message = new MessageBuilder(model, completion);
        if (body.stream === true) await streamMessage(context, message, completion);
        else await context.channel.json(200, message.final());
      },
    };
  },
};

/** `POST /v1/messages/count_tokens`: the same deterministic input count `messages` reports. */
export const countTokensEndpoint: Endpoint = {
  provider: 'anthropic',
  prepare(body) {
    if (!isObject(body)) return 'request body must be a JSON object';
    const conversation = toConversation(body);
    if (typeof conversation === 'string') return conversation;
    return {
      async respond({ channel }) {
        await channel.json(200, { input_tokens: countPromptTokens(promptText(conversation)) });
      },
    };
  },
};

/** Validates the shared request fields; a returned string is the 400 message. */
function toConversation(body: Record<string, unknown>): Conversation | string {
  if (typeof body.model !== 'string') return 'model: Field required';
  if (!Array.isArray(body.messages)) return 'messages: Field required';
  const system: ConversationMessage[] =
    body.system === undefined ? [] : [{ role: 'system', text: textOf(body.system) }];
  return buildConversation(
    'anthropic',
    'messages',
    body.model,
    [...system, ...body.messages.filter(isObject).flatMap(toMessages)],
    Array.isArray(body.tools) ? body.tools.map((tool) => String(tool?.name ?? '')) : [],
  );
}

/** Tool results become `tool` messages (one round per user turn); other blocks keep their role. */
function toMessages(message: Record<string, unknown>): ConversationMessage[] {
  const role = message.role === 'assistant' ? 'assistant' : 'user';
  if (!Array.isArray(message.content)) return [{ role, text: textOf(message.content) }];
  const blocks = message.content.filter(isObject);
  const toolResults = blocks
    .filter((block) => block.type === 'tool_result')
    .map((block): ConversationMessage => ({ role: 'tool', text: textOf(block.content) }));
  const rest = blocks
    .filter((block) => block.type !== 'tool_result')
    .map((block) => (block.type === 'tool_use' ? JSON.stringify(block.input ?? {}) : textOf(block)))
    .filter(Boolean);
  return rest.length > 0 ? [...toolResults, { role, text: rest.join('\n') }] : toolResults;
}

type ContentBlock =
  | { type: 'text'; text: string; citations: null }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

class MessageBuilder {
  readonly id = newId('msg_01');
  readonly content: ContentBlock[];

  constructor(
    readonly model: string,
    private readonly completion: Completion,
  ) {
    const text: ContentBlock[] =
      completion.text !== '' || completion.toolCalls.length === 0
        ? [{ type: 'text', text: completion.text, citations: null }]
        : [];
    const toolUses = completion.toolCalls.map(
      (call): ContentBlock => ({
        type: 'tool_use',
        id: call.id,
        name: call.name,
        input: parseInput(call.arguments),
      }),
    );
    this.content = [...text, ...toolUses];
  }

  get stopReason(): string {
    return STOP_REASONS[this.completion.finishReason];
  }

  /** Input-side usage: Anthropic reports cache reads/writes separately from `input_tokens`. */
  inputUsage() {
    const { usage } = this.completion;
    return {
      input_tokens: usage.inputTokens,
      cache_creation_input_tokens: usage.cacheCreationInputTokens,
      cache_read_input_tokens: usage.cacheReadInputTokens,
    };
  }

  usage(outputTokens: number) {
    return {
      ...this.inputUsage(),
      cache_creation: {
        ephemeral_5m_input_tokens: this.completion.usage.cacheCreationInputTokens,
        ephemeral_1h_input_tokens: 0,
      },
      output_tokens: outputTokens,
      server_tool_use: null,
      service_tier: 'standard',
    };
  }

  envelope(content: ContentBlock[], stopReason: string | null, outputTokens: number) {
    return {
      id: this.id,
      type: 'message',
      role: 'assistant',
      model: this.model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      stop_details: null,
      container: null,
      usage: this.usage(outputTokens),
    };
  }

  final() {
    return this.envelope(this.content, this.stopReason, this.completion.usage.outputTokens);
  }
}

function parseInput(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new Error(`tool call arguments must be a JSON object for Anthropic replies, got: ${json}`);
  }
}

async function streamMessage({ channel }: ReplyContext, message: MessageBuilder, completion: Completion) {
  const emit = (type: string, fields: object = {}) => channel.event({ type, ...fields }, type);

  channel.openEventStream();
  // Real streams report one output token at the start; the total arrives in message_delta.
  await emit('message_start', { message: message.envelope([], null, 1) });
  for (const [index, block] of message.content.entries()) {
    if (channel.closed) return;
    if (block.type === 'text') {
      await emit('content_block_start', {
        index,
        content_block: { type: 'text', text: '', citations: null },
      });
      if (index === 0) await emit('ping');
      for (const text of completion.textChunks) {
        await emit('content_block_delta', { index, delta: { type: 'text_delta', text } });
      }
    } else {
      await emit('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      if (index === 0) await emit('ping');
      for (const partial_json of splitArguments(JSON.stringify(block.input))) {
        await emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } });
      }
    }
    await emit('content_block_stop', { index });
  }
  await emit('message_delta', {
    delta: { stop_reason: message.stopReason, stop_sequence: null, stop_details: null },
    usage: { ...message.inputUsage(), output_tokens: completion.usage.outputTokens },
  });
  await emit('message_stop');
  await channel.end();
}
