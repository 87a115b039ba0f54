import { type Completion, planCompletion } from '../completion.js';
import { buildConversation, textOf } from '../conversation.js';
import { type Endpoint, isObject, type ReplyContext } from '../endpoint.js';
import { newId, unixSeconds } from '../ids.js';
import { splitArguments } from '../tokens.js';
import type { ConversationMessage } from '../types.js';
import { openaiUsage } from './usage.js';

const SYSTEM_FINGERPRINT = 'fp_mockllm';

/** `POST /v1/chat/completions`, plain and streamed. */
export const chatCompletionsEndpoint: Endpoint = {
  provider: 'openai',
  prepare(body) {
    if (!isObject(body) || typeof body.model !== 'string') return 'you must provide a model parameter';
    if (!Array.isArray(body.messages)) return "Missing required parameter: 'messages'.";
    const n = body.n ?? 1;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 128) {
      return `Invalid 'n': expected an integer between 1 and 128.`;
    }
    const model = body.model;
    const conversation = buildConversation(
      'openai',
      'chat.completions',
      model,
      body.messages.filter(isObject).map(toMessage),
      Array.isArray(body.tools) ? body.tools.map((tool) => String(tool?.function?.name ?? '')) : [],
    );
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    const streamOptions = isObject(body.stream_options) ? body.stream_options : {};
    return {
      conversation,
      async respond(context) {
        const completion = planCompletion(context.reply ?? {}, conversation, {
          maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
          chunks: context.chunks,
          cache: context.cache,
          toolIdPrefix: 'call_',
        });
        const response = { id: newId('chatcmpl-'), created: unixSeconds(), model, n };
        if (body.stream === true) {
          await streamCompletion(context, completion, response, streamOptions.include_usage === true);
        } else {
          await context.channel.json(200, completionBody(completion, response));
        }
      },
    };
  },
};

function toMessage(message: Record<string, unknown>): ConversationMessage {
  const role = message.role === 'developer' ? 'system' : message.role;
  const toolArguments = Array.isArray(message.tool_calls)
    ? message.tool_calls.map((call) => String(call?.function?.arguments ?? ''))
    : [];
  return {
    role: role === 'system' || role === 'assistant' || role === 'tool' ? role : 'user',
    text: [textOf(message.content), ...toolArguments].filter(Boolean).join('\n'),
  };
}

interface ResponseIdentity {
  id: string;
  created: number;
  model: string;
  n: number;
}

function completionBody(completion: Completion, response: ResponseIdentity) {
  const message = {
    role: 'assistant',
    content: completion.text || completion.toolCalls.length === 0 ? completion.text : null,
    refusal: null,
    annotations: [],
    ...(completion.toolCalls.length > 0 && {
      tool_calls: completion.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    }),
  };
  return {
    id: response.id,
    object: 'chat.completion',
    created: response.created,
    model: response.model,
    choices: Array.from({ length: response.n }, (_, index) => ({
      index,
      message,
      logprobs: null,
      finish_reason: completion.finishReason,
    })),
    usage: openaiChatUsage(completion, response.n),
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

async function streamCompletion(
  { channel }: ReplyContext,
  completion: Completion,
  response: ResponseIdentity,
  includeUsage: boolean,
): Promise<void> {
  const chunk = (choices: unknown[], usage: unknown = null) => ({
    id: response.id,
    object: 'chat.completion.chunk',
    created: response.created,
    model: response.model,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices,
    ...(includeUsage && { usage }),
  });
  const delta = (index: number, value: object, finishReason: string | null = null) =>
    chunk([{ index, delta: value, logprobs: null, finish_reason: finishReason }]);

  channel.openEventStream();
  for (let index = 0; index < response.n && !channel.closed; index++) {
    const hasText = completion.text !== '' || completion.toolCalls.length === 0;
    await channel.event(delta(index, { role: 'assistant', content: hasText ? '' : null, refusal: null }));
    for (const piece of completion.textChunks) await channel.event(delta(index, { content: piece }));
    for (const [callIndex, call] of completion.toolCalls.entries()) {
      await channel.event(
        delta(index, {
          tool_calls: [
            { index: callIndex, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
          ],
        }),
      );
      for (const fragment of splitArguments(call.arguments)) {
        await channel.event(
          delta(index, { tool_calls: [{ index: callIndex, function: { arguments: fragment } }] }),
        );
      }
    }
    await channel.event(delta(index, {}, completion.finishReason));
  }
  if (includeUsage) await channel.event(chunk([], openaiChatUsage(completion, response.n)));
  await channel.event('[DONE]');
  await channel.end();
}

function openaiChatUsage(completion: Completion, choices: number) {
  const usage = openaiUsage(completion.usage);
  const completionTokens = usage.outputTokens * choices;
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: completionTokens,
    total_tokens: usage.inputTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}
