/**
 * A scripted OpenAI/Anthropic-shaped HTTP server for decoder tests: fixed answers in the providers'
 * wire formats (plain JSON and server-sent events), chosen by path and request `model`.
 */
import type http from 'node:http';
import { startServer, type TestServer } from './wire.js';

type Json = Record<string, any>;

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendEvents(res: http.ServerResponse, events: Array<{ event?: string; data: unknown }>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const { event, data } of events) {
    res.write(
      `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    );
  }
  res.end();
}

const chunk = (choices: unknown[], extra: Json = {}) => ({
  id: 'chatcmpl-42',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-2024-08-06',
  choices,
  ...extra,
});

function chatCompletions(body: Json, res: http.ServerResponse): void {
  if (body.model === 'missing-model') {
    sendJson(res, 404, {
      error: {
        message: 'The model `missing-model` does not exist',
        type: 'invalid_request_error',
        code: 'model_not_found',
      },
    });
    return;
  }
  const n = body.n ?? 1;
  if (!body.stream) {
    sendJson(res, 200, {
      id: 'chatcmpl-41',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o-2024-08-06',
      choices: Array.from({ length: n }, (_, index) => ({
        index,
        message: { role: 'assistant', content: `answer ${index}`, refusal: null },
        finish_reason: 'stop',
      })),
      usage: {
        prompt_tokens: 12,
        completion_tokens: 3,
        total_tokens: 15,
        prompt_tokens_details: { cached_tokens: 4 },
      },
    });
    return;
  }
  if (body.model === 'broken-stream') {
    sendEvents(res, [
      { data: chunk([{ index: 0, delta: { role: 'assistant', content: 'par' }, finish_reason: null }]) },
      { data: { error: { message: 'overloaded', type: 'server_error' } } },
    ]);
    return;
  }
  const events: Array<{ data: unknown }> = [
    { data: chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]) },
    { data: chunk([{ index: 0, delta: { content: 'Let me ' }, finish_reason: null }]) },
    { data: chunk([{ index: 0, delta: { content: 'check.' }, finish_reason: null }]) },
  ];
  const tool = (index: number, fragment: Json) => ({
    data: chunk([{ index: 0, delta: { tool_calls: [{ index, ...fragment }] }, finish_reason: null }]),
  });
  events.push(
    tool(0, { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }),
    tool(0, { function: { arguments: '{"city":' } }),
    tool(1, { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz"' } }),
    tool(0, { function: { arguments: '"Paris"}' } }),
    tool(1, { function: { arguments: ':"CET"}' } }),
    { data: chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]) },
  );
  if (n > 1) {
    events.push(
      { data: chunk([{ index: 1, delta: { content: 'second choice' }, finish_reason: null }]) },
      { data: chunk([{ index: 1, delta: {}, finish_reason: 'stop' }]) },
    );
  }
  if (body.stream_options?.include_usage) {
    events.push({
      data: chunk([], {
        usage: {
          prompt_tokens: 20,
          completion_tokens: 9,
          total_tokens: 29,
          completion_tokens_details: { reasoning_tokens: 2 },
        },
      }),
    });
  }
  events.push({ data: '[DONE]' });
  sendEvents(res, events);
}

function responses(body: Json, res: http.ServerResponse): void {
  const response = {
    id: 'resp_7',
    object: 'response',
    model: 'gpt-4.1-2025-04-14',
    status: 'in_progress',
    output: [],
  };
  const usage = {
    input_tokens: 30,
    output_tokens: 11,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  };
  const message = {
    type: 'message',
    id: 'msg_1',
    role: 'assistant',
    content: [{ type: 'output_text', text: 'Sunny in Paris.', annotations: [] }],
  };
  const fn = {
    type: 'function_call',
    id: 'fc_1',
    call_id: 'call_w',
    name: 'get_weather',
    arguments: '{"city":"Paris"}',
  };
  if (!body.stream) {
    sendJson(res, 200, { ...response, status: 'completed', output: [message, fn], usage });
    return;
  }
  const e = (type: string, data: Json) => ({ event: type, data: { type, ...data } });
  sendEvents(res, [
    e('response.created', { response }),
    e('response.output_item.added', { output_index: 0, item: { ...message, content: [] } }),
    e('response.output_text.delta', { output_index: 0, content_index: 0, delta: 'Sunny ' }),
    e('response.output_text.delta', { output_index: 0, content_index: 0, delta: 'in Paris.' }),
    e('response.output_item.added', { output_index: 1, item: { ...fn, arguments: '' } }),
    e('response.function_call_arguments.delta', { output_index: 1, item_id: 'fc_1', delta: '{"city":' }),
    e('response.function_call_arguments.delta', { output_index: 1, item_id: 'fc_1', delta: '"Paris"}' }),
    e('response.completed', { response: { ...response, status: 'completed', output: [message, fn], usage } }),
  ]);
}

function messages(body: Json, res: http.ServerResponse): void {
  const usage = {
    input_tokens: 10,
    cache_read_input_tokens: 100,
    cache_creation_input_tokens: 5,
    output_tokens: 1,
  };
  if (body.model === 'overloaded') {
    sendJson(res, 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    return;
  }
  if (!body.stream) {
    sendJson(res, 200, {
      id: 'msg_plain',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      usage: { ...usage, output_tokens: 20 },
    });
    return;
  }
  const e = (type: string, data: Json) => ({ event: type, data: { type, ...data } });
  sendEvents(res, [
    e('message_start', {
      message: {
        id: 'msg_stream',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        usage,
      },
    }),
    e('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    e('ping', {}),
    e('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Let me ' } }),
    e('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'look.' } }),
    e('content_block_stop', { index: 0 }),
    e('content_block_start', {
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: {} },
    }),
    e('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '' } }),
    e('content_block_delta', {
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '{"city": "Par' },
    }),
    e('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: 'is"}' } }),
    e('content_block_stop', { index: 1 }),
    e('message_delta', {
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 42 },
    }),
    e('message_stop', {}),
  ]);
}

function embeddings(body: Json, res: http.ServerResponse): void {
  const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input];
  sendJson(res, 200, {
    object: 'list',
    data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2] })),
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 8, total_tokens: 8 },
  });
}

export function startProviderServer(): Promise<TestServer> {
  return startServer((req, raw, res) => {
    const body = raw.length > 0 ? (JSON.parse(raw.toString()) as Json) : {};
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.endsWith('/chat/completions')) chatCompletions(body, res);
    else if (path.endsWith('/responses')) responses(body, res);
    else if (path.endsWith('/embeddings')) embeddings(body, res);
    else if (path.endsWith('/messages')) messages(body, res);
    else sendJson(res, 404, { error: { type: 'not_found', message: path } });
  });
}
