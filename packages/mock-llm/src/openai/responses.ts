import { type Completion, planCompletion } from '../completion.js';
import { buildConversation, textOf } from '../conversation.js';
import { type Endpoint, isObject, type ReplyContext } from '../endpoint.js';
import { newId, unixSeconds } from '../ids.js';
import { splitArguments } from '../tokens.js';
import type { ConversationMessage } from '../types.js';
import { openaiUsage } from './usage.js';

/** `POST /v1/responses`, plain and streamed. */
export const responsesEndpoint: Endpoint = {
  provider: 'openai',
  prepare(body) {
    if (!isObject(body) || typeof body.model !== 'string') return 'you must provide a model parameter';
    if (typeof body.input !== 'string' && !Array.isArray(body.input))
      return "Missing required parameter: 'input'.";
    const instructions =
      typeof body.instructions === 'string' ? [{ role: 'system', text: body.instructions }] : [];
    const conversation = buildConversation(
      'openai',
      'responses',
      body.model,
      [...(instructions as ConversationMessage[]), ...toMessages(body.input)],
      Array.isArray(body.tools) ? body.tools.map((tool) => String(tool?.name ?? '')) : [],
    );
    return {
      conversation,
      async respond(context) {
        const completion = planCompletion(context.reply ?? {}, conversation, {
          maxTokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : undefined,
          chunks: context.chunks,
          cache: context.cache,
          toolIdPrefix: 'call_',
        });
        const response = new ResponseBuilder(body, completion);
        if (body.stream === true) await streamResponse(context, response, completion);
        else await context.channel.json(200, response.snapshot('final'));
      },
    };
  },
};

function toMessages(input: unknown): ConversationMessage[] {
  if (typeof input === 'string') return [{ role: 'user', text: input }];
  return (input as unknown[]).filter(isObject).map((item): ConversationMessage => {
    if (item.type === 'function_call_output') return { role: 'tool', text: textOf(item.output) };
    if (item.type === 'function_call') return { role: 'assistant', text: String(item.arguments ?? '') };
    const role = item.role === 'developer' ? 'system' : item.role;
    return {
      role: role === 'system' || role === 'assistant' ? role : 'user',
      text: textOf(item.content),
    };
  });
}

type OutputItem = Record<string, unknown> & { id: string; type: 'message' | 'function_call' };

/** Holds the response identity and renders its snapshots (in progress / final). */
class ResponseBuilder {
  readonly id = newId('resp_');
  readonly createdAt = unixSeconds();
  readonly items: OutputItem[];

  constructor(
    private readonly request: Record<string, unknown>,
    private readonly completion: Completion,
  ) {
    const message: OutputItem[] =
      completion.text !== '' || completion.toolCalls.length === 0
        ? [
            {
              id: newId('msg_'),
              type: 'message',
              status: 'completed',
              role: 'assistant',
              content: [outputText(completion.text)],
            },
          ]
        : [];
    const calls = completion.toolCalls.map(
      (call): OutputItem => ({
        id: newId('fc_'),
        type: 'function_call',
        status: 'completed',
        call_id: call.id,
        name: call.name,
        arguments: call.arguments,
      }),
    );
    this.items = [...message, ...calls];
  }

  get status(): 'completed' | 'incomplete' {
    return this.completion.finishReason === 'length' ? 'incomplete' : 'completed';
  }

  snapshot(stage: 'in_progress' | 'final') {
    const final = stage === 'final';
    const { inputTokens, outputTokens, cachedTokens } = openaiUsage(this.completion.usage);
    const r = this.request;
    return {
      id: this.id,
      object: 'response',
      created_at: this.createdAt,
      status: final ? this.status : 'in_progress',
      background: false,
      error: null,
      incomplete_details: final && this.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      instructions: r.instructions ?? null,
      max_output_tokens: r.max_output_tokens ?? null,
      model: r.model,
      output: final ? this.items : [],
      parallel_tool_calls: r.parallel_tool_calls ?? true,
      previous_response_id: r.previous_response_id ?? null,
      reasoning: { effort: null, summary: null },
      store: r.store ?? true,
      temperature: r.temperature ?? 1,
      text: r.text ?? { format: { type: 'text' } },
      tool_choice: r.tool_choice ?? 'auto',
      tools: r.tools ?? [],
      top_p: r.top_p ?? 1,
      truncation: r.truncation ?? 'disabled',
      usage: final
        ? {
            input_tokens: inputTokens,
            input_tokens_details: { cached_tokens: cachedTokens },
            output_tokens: outputTokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: inputTokens + outputTokens,
          }
        : null,
      user: r.user ?? null,
      metadata: r.metadata ?? {},
    };
  }
}

function outputText(text: string) {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

async function streamResponse(
  { channel }: ReplyContext,
  response: ResponseBuilder,
  completion: Completion,
): Promise<void> {
  let sequence = 0;
  const emit = (type: string, fields: object) =>
    channel.event({ type, sequence_number: sequence++, ...fields }, type);

  channel.openEventStream();
  await emit('response.created', { response: response.snapshot('in_progress') });
  await emit('response.in_progress', { response: response.snapshot('in_progress') });
  for (const [outputIndex, item] of response.items.entries()) {
    if (channel.closed) return;
    const at = { item_id: item.id, output_index: outputIndex };
    if (item.type === 'message') {
      await emit('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', content: [] },
      });
      await emit('response.content_part.added', { ...at, content_index: 0, part: outputText('') });
      for (const delta of completion.textChunks) {
        await emit('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] });
      }
      await emit('response.output_text.done', {
        ...at,
        content_index: 0,
        text: completion.text,
        logprobs: [],
      });
      await emit('response.content_part.done', {
        ...at,
        content_index: 0,
        part: outputText(completion.text),
      });
    } else {
      await emit('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      for (const delta of splitArguments(String(item.arguments))) {
        await emit('response.function_call_arguments.delta', { ...at, delta });
      }
      await emit('response.function_call_arguments.done', {
        ...at,
        name: item.name,
        arguments: item.arguments,
      });
    }
    await emit('response.output_item.done', { output_index: outputIndex, item });
  }
  const finalEvent = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
  await emit(finalEvent, { response: response.snapshot('final') });
  await channel.end();
}
