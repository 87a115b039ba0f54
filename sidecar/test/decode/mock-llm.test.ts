/**
 * Cross-check against the project's mock LLM (an independent implementation of the wire formats):
 * what the real clients assembled must equal what the decoder rebuilt from the bytes in between.
 */
import { type MockLlmServer, startMockLlm } from '@agentsight/mock-llm';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpExchange } from '../../src/decode/index.js';
import { createPrng } from '../../src/decode/synthetic.js';
import { decodeTranscript, type RecordingProxy, startRecordingProxy } from './wire.js';

let mock: MockLlmServer;
let proxy: RecordingProxy;
let openai: OpenAI;

beforeAll(async () => {
  mock = await startMockLlm({ tls: false, cache: { readInputTokens: 64, creationInputTokens: 8 } });
});
afterAll(() => mock.close());

beforeEach(async () => {
  proxy = await startRecordingProxy(Number(new URL(mock.url).port));
  openai = new OpenAI({
    baseURL: `http://127.0.0.1:${proxy.port}/v1`,
    apiKey: 'sk-test-mock-0000000000',
    maxRetries: 0,
  });
});
afterEach(() => proxy.close());

function exchanges(): HttpExchange[] {
  const random = createPrng(3);
  return proxy.transcripts.flatMap(
    (t, i) => decodeTranscript(t, { random, maxChunk: 97 }, `m:${i}`).exchanges,
  );
}

describe('decoding traffic of @agentsight/mock-llm', () => {
  it('matches what the openai client assembled from a streamed tool call', async () => {
    mock.enqueue({
      text: 'Calling the tool now.',
      toolCalls: [{ name: 'read_file', arguments: { path: '/tmp/a.txt' }, id: 'call_x' }],
      finishReason: 'tool_calls',
      chunks: 5,
    });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'read it' }],
    });
    let text = '';
    let args = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(usage).toBeDefined();
    const [exchange] = exchanges();
    expect(exchange.llm).toMatchObject({
      api: 'chat.completions',
      stream: true,
      outputText: text,
      toolCalls: [{ id: 'call_x', name: 'read_file', arguments: args }],
      finishReasons: ['tool_calls'],
      usage: { inputTokens: usage?.prompt_tokens, outputTokens: usage?.completion_tokens },
    });
    expect(JSON.parse(args)).toEqual({ path: '/tmp/a.txt' });
  });

  it('matches a streamed Anthropic message with cache usage', async () => {
    mock.enqueue({ text: 'Hello from the mock.', chunks: 4 });
    const res = await fetch(`http://127.0.0.1:${proxy.port}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': 'sk-ant-mock',
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    const wire = await res.text();
    const [exchange] = exchanges();
    const start = JSON.parse(/data: (\{"type":"message_start".*)/.exec(wire)![1]);
    const usage = start.message.usage;
    expect(exchange.llm).toMatchObject({
      provider: 'anthropic',
      stream: true,
      outputText: 'Hello from the mock.',
      usage: {
        inputTokens: usage.input_tokens + 64 + 8,
        cacheReadInputTokens: 64,
        cacheCreationInputTokens: 8,
      },
    });
    expect(exchange.llm?.finishReasons).toEqual(['end_turn']);
  });

  it('matches a streamed Responses API call', async () => {
    mock.enqueue({ text: 'Responses text.', chunks: 3 });
    const stream = await openai.responses.create({ model: 'gpt-4.1', input: 'hi', stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
    const [exchange] = exchanges();
    expect(exchange.llm).toMatchObject({ api: 'responses', stream: true, outputText: text });
    expect(text).toBe('Responses text.');
  });

  it('keeps the complete events of a stream reset mid-way and marks the exchange', async () => {
    mock.enqueue({ fault: 'reset-mid-stream', afterChunks: 2 });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(
      (async () => {
        for await (const _ of stream) {
          // drain until the reset
        }
      })(),
    ).rejects.toThrow();
    const [exchange] = exchanges();
    expect(exchange.response?.complete).toBe(false);
    expect(exchange.response?.sse?.length).toBeGreaterThanOrEqual(1);
    expect(exchange.problem).toContain('connection closed before the message ended');
  });
});
