import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpExchange } from '../../src/decode/index.js';
import { createPrng } from '../../src/decode/synthetic.js';
import { startProviderServer } from './provider-server.js';
import {
  decodeTranscript,
  type RecordingProxy,
  startRecordingProxy,
  summarize,
  type TestServer,
} from './wire.js';

let provider: TestServer;
let proxy: RecordingProxy;
let openai: OpenAI;

beforeAll(async () => {
  provider = await startProviderServer();
});
afterAll(() => provider.close());

beforeEach(async () => {
  proxy = await startRecordingProxy(provider.port);
  openai = new OpenAI({
    baseURL: `http://127.0.0.1:${proxy.port}/v1`,
    apiKey: 'sk-test-abcdefghijklmnop',
    maxRetries: 0,
  });
});
afterEach(() => proxy.close());

/** Decodes everything the proxy saw, each transcript at random chunk boundaries. */
function capturedExchanges(seed = 1): HttpExchange[] {
  const random = createPrng(seed);
  return proxy.transcripts.flatMap(
    (transcript, i) => decodeTranscript(transcript, { random, maxChunk: 300 }, `9:1:${i}`).exchanges,
  );
}

function onlyLlmCall() {
  const exchanges = capturedExchanges();
  expect(exchanges).toHaveLength(1);
  expect(exchanges[0].llm).toBeDefined();
  return { exchange: exchanges[0], llm: exchanges[0].llm! };
}

async function anthropicFetch(body: unknown): Promise<Response> {
  const res = await fetch(`http://127.0.0.1:${proxy.port}/v1/messages`, {
    method: 'POST',
    headers: {
      'x-api-key': 'sk-ant-api03-secret',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  await res.text();
  return res;
}

describe('OpenAI chat completions (real openai client)', () => {
  it('rebuilds a plain call with n > 1 and cached usage', async () => {
    await openai.chat.completions.create({
      model: 'gpt-4o',
      n: 2,
      temperature: 0.2,
      max_completion_tokens: 50,
      stop: ['END'],
      seed: 7,
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'image_url', image_url: { url: 'data:,' } },
          ],
        },
      ],
    });
    const { llm } = onlyLlmCall();
    expect(llm).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      api: 'chat.completions',
      stream: false,
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      responseId: 'chatcmpl-41',
      request: { temperature: 0.2, maxTokens: 50, stopSequences: ['END'], seed: 7 },
      inputMessages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi\n[image_url]' },
      ],
      outputText: 'answer 0\n\nanswer 1',
      finishReasons: ['stop', 'stop'],
      usage: { inputTokens: 12, outputTokens: 3, cacheReadInputTokens: 4 },
    });
  });

  it('merges a stream: text deltas, tool-call argument fragments by index, n > 1, final usage', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o',
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'weather and time in Paris?' }],
    });
    for await (const _ of stream) {
      // drain
    }
    const { exchange, llm } = onlyLlmCall();
    expect(exchange.response?.sse?.length).toBeGreaterThan(10);
    expect(llm).toMatchObject({
      stream: true,
      outputText: 'Let me check.\n\nsecond choice',
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'call_b', name: 'get_time', arguments: '{"tz":"CET"}' },
      ],
      finishReasons: ['tool_calls', 'stop'],
      usage: { inputTokens: 20, outputTokens: 9, reasoningOutputTokens: 2 },
      responseId: 'chatcmpl-42',
    });
  });

  it('reports an error response and an error event inside a stream', async () => {
    await expect(
      openai.chat.completions.create({ model: 'missing-model', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow();
    const stream = await openai.chat.completions.create({
      model: 'broken-stream',
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(
      (async () => {
        for await (const _ of stream) {
          // drain until the error event
        }
      })(),
    ).rejects.toThrow(/overloaded/);
    const exchanges = capturedExchanges();
    expect(exchanges.map((e) => [e.response?.status, e.llm?.error])).toEqual([
      [404, { type: 'invalid_request_error', message: 'The model `missing-model` does not exist' }],
      [200, { type: 'server_error', message: 'overloaded' }],
    ]);
    expect(exchanges[1].llm?.outputText).toBe('par');
  });

  it('recognises Azure-style deployment paths', async () => {
    const azure = new OpenAI({
      baseURL: `http://127.0.0.1:${proxy.port}/openai/deployments/my-gpt`,
      apiKey: 'k',
      defaultQuery: { 'api-version': '2024-10-21' },
      maxRetries: 0,
    });
    await azure.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const { exchange, llm } = onlyLlmCall();
    expect(exchange.request.target).toBe(
      '/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21',
    );
    expect(llm.api).toBe('chat.completions');
    expect(llm.outputText).toBe('answer 0');
  });
});

describe('OpenAI responses and embeddings (real openai client)', () => {
  it('rebuilds a streamed response: text deltas, function call, completed usage', async () => {
    const stream = await openai.responses.create({
      model: 'gpt-4.1',
      instructions: 'You are terse.',
      input: [{ role: 'user', content: 'weather?' }],
      max_output_tokens: 100,
      stream: true,
    });
    for await (const _ of stream) {
      // drain
    }
    const { llm } = onlyLlmCall();
    expect(llm).toMatchObject({
      api: 'responses',
      stream: true,
      systemInstructions: 'You are terse.',
      inputMessages: [{ role: 'user', content: 'weather?' }],
      request: { maxTokens: 100 },
      responseId: 'resp_7',
      responseModel: 'gpt-4.1-2025-04-14',
      outputText: 'Sunny in Paris.',
      toolCalls: [{ id: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      finishReasons: ['completed'],
      usage: { inputTokens: 30, outputTokens: 11, cacheReadInputTokens: 0, reasoningOutputTokens: 0 },
    });
  });

  it('rebuilds a plain response and an embeddings call', async () => {
    await openai.responses.create({ model: 'gpt-4.1', input: 'weather?' });
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    const exchanges = capturedExchanges();
    expect(exchanges[0].llm).toMatchObject({
      api: 'responses',
      stream: false,
      outputText: 'Sunny in Paris.',
    });
    expect(exchanges[1].llm).toMatchObject({
      api: 'embeddings',
      operation: 'embeddings',
      requestModel: 'text-embedding-3-small',
      responseModel: 'text-embedding-3-small',
      inputMessages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ],
      usage: { inputTokens: 8 },
    });
  });
});

describe('Anthropic messages (fetch)', () => {
  it('rebuilds a stream: text, input_json_delta tool input, cache usage, stop reason', async () => {
    await anthropicFetch({
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      stream: true,
      system: [{ type: 'text', text: 'You are a weather bot.' }],
      messages: [{ role: 'user', content: 'Paris?' }],
    });
    const { llm } = onlyLlmCall();
    expect(llm).toMatchObject({
      provider: 'anthropic',
      api: 'messages',
      stream: true,
      systemInstructions: 'You are a weather bot.',
      request: { maxTokens: 256 },
      responseId: 'msg_stream',
      responseModel: 'claude-sonnet-4-5-20250929',
      outputText: 'Let me look.',
      toolCalls: [{ id: 'toolu_9', name: 'get_weather', arguments: '{"city": "Paris"}' }],
      finishReasons: ['tool_use'],
      usage: { inputTokens: 115, outputTokens: 42, cacheReadInputTokens: 100, cacheCreationInputTokens: 5 },
    });
  });

  it('rebuilds a plain message with tool_use and an overloaded error', async () => {
    await anthropicFetch({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [
        { role: 'user', content: 'Paris?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_0', name: 'lookup', input: { q: 1 } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: 'sunny' }] },
      ],
    });
    const failed = await anthropicFetch({ model: 'overloaded', max_tokens: 1, messages: [] });
    expect(failed.status).toBe(529);
    const exchanges = capturedExchanges();
    expect(exchanges[0].llm).toMatchObject({
      stream: false,
      inputMessages: [
        { role: 'user', content: 'Paris?' },
        { role: 'assistant', content: '[tool_use lookup(toolu_0): {"q":1}]' },
        { role: 'user', content: '[tool_result toolu_0] sunny' },
      ],
      outputText: 'Checking.',
      toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      finishReasons: ['tool_use'],
      usage: { inputTokens: 115, outputTokens: 20 },
    });
    expect(exchanges[1].llm?.error).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
  });
});

describe('streams split anywhere', () => {
  it('decodes the same calls for every byte boundary as for whole reads', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    for await (const _ of stream) {
      // drain
    }
    await anthropicFetch({ model: 'claude-sonnet-4-5', max_tokens: 8, stream: true, messages: [] });
    for (const [i, transcript] of proxy.transcripts.entries()) {
      const whole = summarize(decodeTranscript(transcript, { chunkSize: 1 << 20 }, `c${i}`).exchanges);
      expect(whole.length).toBeGreaterThan(0);
      expect(summarize(decodeTranscript(transcript, { chunkSize: 1 }, `c${i}`).exchanges)).toEqual(whole);
    }
  });
});
