import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockLlmServer, startMockLlm } from '../src/index.js';
import { anthropicClient, openaiClient } from './clients.js';

let server: MockLlmServer;
beforeAll(async () => {
  server = await startMockLlm();
});
afterAll(() => server.close());
beforeEach(() => server.clearRequests());

const chatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
const messageRequest = {
  model: 'claude-haiku-4-5',
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: 'hi' }],
};

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await server.fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

describe('status faults', () => {
  it('429 with retry-after is honoured by the OpenAI SDK retry', async () => {
    server.enqueue({ fault: 'status', status: 429, retryAfter: 1 }, { text: 'after retry' });
    const started = Date.now();
    const completion = await openaiClient(server, { maxRetries: 2 }).chat.completions.create(chatRequest);
    expect(completion.choices[0].message.content).toBe('after retry');
    // The SDK's own first backoff is <= 0.5 s, so >= 1 s proves it waited for retry-after.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
  });

  it('429 carries retry-after and the OpenAI error shape', async () => {
    server.enqueue({ fault: 'status', status: 429, retryAfter: 7 });
    const response = await post('/v1/chat/completions', JSON.stringify(chatRequest));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.json).toEqual({
      error: { message: expect.any(String), type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
  });

  it('429 surfaces as RateLimitError with the Anthropic error shape', async () => {
    server.enqueue({ fault: 'status', status: 429, retryAfter: 3 });
    const error = await anthropicClient(server)
      .messages.create(messageRequest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimit = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimit.headers.get('retry-after')).toBe('3');
    expect(rateLimit.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('500 surfaces as InternalServerError, with a custom body when given', async () => {
    server.enqueue(
      { fault: 'status', status: 500 },
      { fault: 'status', status: 500, body: { error: { message: 'custom', type: 'x' } } },
    );
    const client = openaiClient(server);
    const first = await client.chat.completions.create(chatRequest).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(OpenAI.InternalServerError);
    expect((first as InstanceType<typeof OpenAI.APIError>).type).toBe('server_error');
    const second = await client.chat.completions.create(chatRequest).catch((e: unknown) => e);
    expect((second as Error).message).toContain('custom');
  });

  it('a fault requested by the x-mock-fault header leaves the queue alone', async () => {
    server.enqueue({ text: 'queued' });
    const client = openaiClient(server);
    const error = await client.chat.completions
      .create(chatRequest, { headers: { 'x-mock-fault': JSON.stringify({ fault: 'status', status: 503 }) } })
      .catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    const next = await client.chat.completions.create(chatRequest);
    expect(next.choices[0].message.content).toBe('queued');
  });

  it('an invalid x-mock-fault header is a 400', async () => {
    const response = await post('/v1/chat/completions', JSON.stringify(chatRequest), {
      'x-mock-fault': 'nope',
    });
    expect(response.status).toBe(400);
    expect(response.json.error.message).toContain('x-mock-fault');
  });

  it('rejects an invalid enqueued fault immediately', () => {
    expect(() => server.enqueue({ fault: 'reset-mid-stream' } as never)).toThrow(/invalid mock-llm fault/);
  });
});

describe('connection faults', () => {
  it('reset-mid-stream breaks an OpenAI stream after the given chunks', async () => {
    server.enqueue(
      { fault: 'reset-mid-stream', afterChunks: 3 },
      { text: 'never finishes this long answer' },
    );
    const stream = await openaiClient(server).chat.completions.create({ ...chatRequest, stream: true });
    const received: string[] = [];
    const consume = async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(consume()).rejects.toThrow();
    expect(received).toHaveLength(3);
  });

  it('reset-mid-stream makes the Anthropic stream helper reject', async () => {
    server.enqueue({ fault: 'reset-mid-stream', afterChunks: 4 }, { text: 'one two three four five six' });
    const stream = anthropicClient(server).messages.stream(messageRequest);
    await expect(stream.finalMessage()).rejects.toThrow();
  });

  it('reset-mid-stream cuts a JSON response halfway', async () => {
    server.enqueue({ fault: 'reset-mid-stream', afterChunks: 0 }, { text: 'a complete answer' });
    const error = await openaiClient(server)
      .chat.completions.create(chatRequest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(server.requests).toHaveLength(1);
  });

  it('stops streaming when the client aborts and keeps serving', async () => {
    server.enqueue({ text: 'word '.repeat(50), chunkDelayMs: 10 }, { text: 'still alive' });
    const client = openaiClient(server);
    const stream = await client.chat.completions.create({ ...chatRequest, stream: true });
    let received = 0;
    for await (const _chunk of stream) if (++received === 3) break;
    expect(received).toBe(3);
    const next = await client.chat.completions.create(chatRequest);
    expect(next.choices[0].message.content).toBe('still alive');
  });

  it('reset destroys the connection before any response', async () => {
    server.enqueue({ fault: 'reset' });
    const error = await openaiClient(server)
      .chat.completions.create(chatRequest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
  });

  it('embeddings consume queued faults but not queued replies', async () => {
    server.enqueue({ text: 'for chat' });
    await openaiClient(server).embeddings.create({ model: 'e', input: 'x' });
    const completion = await openaiClient(server).chat.completions.create(chatRequest);
    expect(completion.choices[0].message.content).toBe('for chat');
  });
});

describe('latency shaping', () => {
  it('slow-first-byte delays the response', async () => {
    server.enqueue({ fault: 'slow-first-byte', ms: 300 }, { text: 'late' });
    const started = Date.now();
    const completion = await openaiClient(server).chat.completions.create(chatRequest);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(completion.choices[0].message.content).toBe('late');
  });

  it('x-mock-think-ms overrides the think time per request', async () => {
    const started = Date.now();
    await openaiClient(server).chat.completions.create(chatRequest, {
      headers: { 'x-mock-think-ms': '250' },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('chunkDelayMs paces the SSE events', async () => {
    server.enqueue({ text: 'a b c d e', chunkDelayMs: 40 });
    const stream = await anthropicClient(server).messages.create({ ...messageRequest, stream: true });
    const arrivals: number[] = [];
    for await (const event of stream) if (event.type === 'content_block_delta') arrivals.push(Date.now());
    expect(arrivals).toHaveLength(5);
    expect(arrivals[4] - arrivals[0]).toBeGreaterThanOrEqual(4 * 40 - 10);
  });
});

describe('error shapes', () => {
  it('unknown routes are 404 in the OpenAI shape', async () => {
    const response = await post('/v1/nope', '{}');
    expect(response.status).toBe(404);
    expect(response.json).toEqual({
      error: {
        message: 'Invalid URL (POST /v1/nope)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it('unknown routes from Anthropic clients are 404 in the Anthropic shape', async () => {
    const response = await post('/v1/complete', '{}', { 'anthropic-version': '2023-06-01' });
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('malformed JSON is a 400 in each provider shape', async () => {
    const openai = await post('/v1/chat/completions', '{"model":');
    expect(openai.status).toBe(400);
    expect(openai.json.error.type).toBe('invalid_request_error');
    const anthropic = await post('/v1/messages', '{"model":');
    expect(anthropic.status).toBe(400);
    expect(anthropic.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('a throwing script becomes a 500 with its message', async () => {
    const broken = await startMockLlm({
      script: () => {
        throw new Error('script exploded');
      },
    });
    try {
      const error = await openaiClient(broken)
        .chat.completions.create(chatRequest)
        .catch((e: unknown) => e);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
      expect((error as Error).message).toContain('script exploded');
    } finally {
      await broken.close();
    }
  });
});
