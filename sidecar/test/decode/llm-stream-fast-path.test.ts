import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildLlmCall } from '../../src/decode/llm/index.js';
import { parseJsonObject } from '../../src/decode/llm/json.js';
import { JsonProjector } from '../../src/decode/llm/json-projection.js';
import { generateSyntheticCapture } from '../../src/decode/synthetic.js';
import type { HttpRequestRecord, HttpResponseRecord, LlmCall, SseMessage } from '../../src/decode/types.js';
import { decodeEvents } from './wire.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `decode` twice: with the stream fast path, then with every event read by plain JSON.parse. */
function withAndWithoutFastPath<T>(decode: () => T): { fast: T; plain: T } {
  // Twice with the fast path: the first run learns the layouts, the second uses templates.
  decode();
  const fast = decode();
  vi.spyOn(JsonProjector.prototype, 'parse').mockImplementation((text) => parseJsonObject(text));
  const plain = decode();
  vi.restoreAllMocks();
  return { fast, plain };
}

function request(target: string, body: unknown, headers: Record<string, string> = {}): HttpRequestRecord {
  return {
    method: 'POST',
    target,
    httpVersion: '1.1',
    headers: { host: 'api.example.com', 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(body)),
    complete: true,
  };
}

function streamed(events: SseMessage[]): HttpResponseRecord {
  return {
    status: 200,
    reason: 'OK',
    httpVersion: '1.1',
    headers: { 'content-type': 'text/event-stream' },
    body: Buffer.alloc(0),
    complete: true,
    sse: events,
  };
}

const data = (...chunks: unknown[]): SseMessage[] =>
  chunks.map((chunk) => ({ data: typeof chunk === 'string' ? chunk : JSON.stringify(chunk) }));

const chatChunk = (delta: unknown, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-9',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
  obfuscation: 'x1',
  ...extra,
});

describe('LLM stream fast path', () => {
  it('gives the same OpenAI chat calls as JSON.parse: escapes, unicode, tool-call deltas, truncation, errors', () => {
    const chatRequest = request('/v1/chat/completions', {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const streams: SseMessage[][] = [
      data(
        chatChunk({ role: 'assistant', content: '', refusal: null }),
        ...[
          'Hel',
          'lo "world"\n',
          'caf\u00e9 \ud83d\ude00',
          '\\ back',
          '\u2028',
          'sk-split',
          'acrosschunks1234567',
        ].map((content) => chatChunk({ content })),
        '{"id":"chatcmpl-9","choices":[{"index":0,"delta":{"content":"\\u0041\\u00e9\\ud83d\\ude00\\/"}}]}',
        chatChunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
        {
          id: 'chatcmpl-9',
          choices: [],
          usage: { prompt_tokens: 5, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 2 } },
        },
        '[DONE]',
      ),
      data(
        chatChunk({ role: 'assistant', content: null }),
        chatChunk({
          tool_calls: [
            { index: 0, id: 'call_1', type: 'function', function: { name: 'read', arguments: '' } },
          ],
        }),
        ...['{"pa', 'th":"/tmp/\\u00e9', '"}'].map((args) =>
          chatChunk({ tool_calls: [{ index: 0, function: { arguments: args } }] }),
        ),
        chatChunk({ tool_calls: [{ index: 1, id: 'call_2', function: { name: 'ls', arguments: '{}' } }] }),
        chatChunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }),
      ),
      data(
        chatChunk({ content: 'n=2, first' }),
        chatChunk({ content: 'second' }, { choices: [{ index: 1, delta: { content: 'second' } }] }),
        chatChunk({ content: 'cut short' }),
        '{"id":"chatcmpl-9","choices":[{"index":0,"delta":{"content":"trunc',
        '{"id":"chatcmpl-9","choices":[{"index":0,"delta":{"content":"bad \\x escape"}}]}',
        '{"id":"chatcmpl-9","choices":[{"index":0,"delta":{"content":"raw\ttab"}}]}',
        '{"error":{"message":"overloaded","type":"server_error"}}',
      ),
    ];
    for (const events of streams) {
      const { fast, plain } = withAndWithoutFastPath(() => buildLlmCall(chatRequest, streamed(events)));
      expect(fast).toStrictEqual(plain);
      expect(fast!.outputText.length + fast!.toolCalls.length).toBeGreaterThan(0);
    }
  });

  it('gives the same Anthropic and Responses calls as JSON.parse', () => {
    const anthropic = request(
      '/v1/messages',
      {
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      },
      { 'anthropic-version': '2023-06-01' },
    );
    const anthropicEvents = data(
      {
        type: 'message_start',
        message: { id: 'msg_1', model: 'claude', usage: { input_tokens: 3, output_tokens: 1 } },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ...['Hello', ' "there"', ' \u00e9\n'].map((text) => ({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text },
      })),
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'tu_1', name: 'f', input: {} },
      },
      ...['{"q":', '"\\u00e9"}'].map((partial_json) => ({
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json },
      })),
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } },
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lost',
    );
    const responses = request('/v1/responses', { model: 'gpt-4.1', stream: true, input: 'hi' });
    const responsesEvents = data(
      { type: 'response.created', response: { id: 'resp_1', model: 'gpt-4.1' } },
      ...['one ', 'two\n', '\u00e9'].map((delta) => ({
        type: 'response.output_text.delta',
        output_index: 0,
        delta,
      })),
      {
        type: 'response.output_item.added',
        output_index: 1,
        item: { type: 'function_call', name: 'f', call_id: 'c1' },
      },
      { type: 'response.function_call_arguments.delta', output_index: 1, delta: '{"a":1}' },
    );
    for (const [req, events] of [
      [anthropic, anthropicEvents],
      [responses, responsesEvents],
    ] as const) {
      const { fast, plain } = withAndWithoutFastPath(() => buildLlmCall(req, streamed(events)));
      expect(fast).toStrictEqual(plain);
      expect((fast as LlmCall).outputText.length).toBeGreaterThan(0);
    }
  });

  it('decodes a synthetic capture of every API to the same records', () => {
    const capture = generateSyntheticCapture({
      seed: 5,
      connections: 4,
      exchangesPerConnection: 6,
      responseBytes: 4096,
    });
    const { fast, plain } = withAndWithoutFastPath(() => decodeEvents(capture.events).records);
    expect(fast).toHaveLength(capture.exchanges);
    expect(fast).toStrictEqual(plain);
  });
});
