import Anthropic from '@anthropic-ai/sdk';
import AnthropicV0 from 'anthropic-sdk-v0';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrument } from '../../src/genai/index.js';
import { type Harness, parentSpanIdOf, startHarness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  instrument(Anthropic, { captureContent: false });
  instrument(AnthropicV0, { captureContent: false });
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

const messages = [{ role: 'user' as const, content: 'hi' }];
const model = 'claude-opus-5-5';

/** Exactly one span for the call: ours. The SDK's built-in call span must not appear next to it. */
async function onlySpanOfLastRequest() {
  const span = await h.spanOfLastRequest();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(h.rx.spans.filter((s) => s.traceId === span.traceId).map((s) => s.name)).toEqual([span.name]);
  return span;
}

describe.each([
  ['v1', Anthropic],
  ['v0', AnthropicV0],
] as const)('@anthropic-ai/sdk %s', (_version, SDK) => {
  const client = (maxRetries = 0): any =>
    new (SDK as any)({ apiKey: 'sk-ant', baseURL: h.llm.anthropicBaseURL, fetch: h.llm.fetch, maxRetries });

  it('messages.create: semconv span, cache tokens folded into input, trace headers', async () => {
    h.llm.enqueue({
      text: 'Hi!',
      usage: { inputTokens: 10, outputTokens: 3, cacheReadInputTokens: 4, cacheCreationInputTokens: 2 },
    });
    const message = await client().messages.create({
      model,
      max_tokens: 100,
      messages,
      system: 'be brief',
      top_k: 5,
      stop_sequences: ['###'],
    });
    expect(message.content[0].text).toBe('Hi!');
    const span = await onlySpanOfLastRequest();
    expect(span.name).toBe(`chat ${model}`);
    expect(span.scope.name).toBe('@agentsight/otel');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.top_k': 5,
      'gen_ai.request.stop_sequences': ['###'],
      'gen_ai.response.id': message.id,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'gen_ai.usage.input_tokens': 16,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.cache_creation.input_tokens': 2,
    });
    expect(span.attributes['gen_ai.system_instructions']).toBeUndefined();
    expect(h.lastRequestHeader('x-trace-id')).toBe(span.traceId);
    expect(parentSpanIdOf(h.lastRequestHeader('traceparent'))).toBe(span.spanId);
  });

  it('trace headers: a header the caller sets to null is omitted, the other one is still sent', async () => {
    h.llm.enqueue({ text: 'ok' });
    await client().messages.create({ model, max_tokens: 10, messages }, { headers: { 'x-trace-id': null } });
    expect(h.lastRequestHeader('x-trace-id')).toBeUndefined();
    const traceparent = h.lastRequestHeader('traceparent');
    const spans = await h.genAISpans(1);
    expect(parentSpanIdOf(traceparent)).toBe(spans.at(-1)?.spanId);
  });

  it('messages.create stream: usage from message_start + message_delta', async () => {
    h.llm.enqueue({ text: 'streamed words here', usage: { inputTokens: 7, outputTokens: 5 } });
    const stream = await client().messages.create({ model, max_tokens: 100, messages, stream: true });
    let text = '';
    for await (const event of stream) if (event.type === 'content_block_delta') text += event.delta.text;
    expect(text).toBe('streamed words here');
    const span = await onlySpanOfLastRequest();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': 7,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('messages.stream(): text events and finalMessage() work, one span', async () => {
    h.llm.enqueue({ text: 'alpha beta' });
    const texts: string[] = [];
    const stream = client().messages.stream({ model, max_tokens: 100, messages });
    stream.on('text', (delta: string) => texts.push(delta));
    const final = await stream.finalMessage();
    expect(texts.join('')).toBe('alpha beta');
    expect(final.content[0].text).toBe('alpha beta');
    const span = await onlySpanOfLastRequest();
    expect(span.attributes['gen_ai.response.id']).toBe(final.id);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(final.usage.output_tokens);
    expect(parentSpanIdOf(h.lastRequestHeader('traceparent'))).toBe(span.spanId);
  });

  it('beta.messages.create and beta.messages.stream()', async () => {
    h.llm.enqueue({ text: 'beta' });
    const message = await client().beta.messages.create({ model, max_tokens: 10, messages });
    const span = await onlySpanOfLastRequest();
    expect(span.attributes['gen_ai.response.id']).toBe(message.id);

    h.reset();
    h.llm.enqueue({ text: 'beta stream' });
    const final = await client().beta.messages.stream({ model, max_tokens: 10, messages }).finalMessage();
    const streamSpan = await onlySpanOfLastRequest();
    expect(streamSpan.attributes['gen_ai.response.id']).toBe(final.id);
  });

  it('tool_use blocks become tool call events (name + id)', async () => {
    h.llm.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: '/tmp/x' } }] });
    const message = await client().messages.create({ model, max_tokens: 100, messages });
    const block = message.content.find((b: any) => b.type === 'tool_use');
    const span = await onlySpanOfLastRequest();
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_use']);
    expect(span.events.filter((e) => e.name === 'gen_ai.tool.call').map((e) => e.attributes)).toEqual([
      { 'gen_ai.tool.name': 'read_file', 'gen_ai.tool.call.id': block.id, 'gen_ai.tool.type': 'function' },
    ]);
  });

  it('stream reset mid-way: error span; withResponse() intact', async () => {
    h.llm.enqueue({ fault: 'reset-mid-stream', afterChunks: 2 });
    const { data: stream, response } = await client()
      .messages.create({ model, max_tokens: 10, messages, stream: true })
      .withResponse();
    expect(response.status).toBe(200);
    const caught = await (async () => {
      for await (const _ of stream);
    })().catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(Error);
    const span = await onlySpanOfLastRequest();
    expect(span.status.code).toBe(2);
  });

  it('429 after retries and 500: error spans, SDK error classes unchanged', async () => {
    h.llm.enqueue(
      { fault: 'status', status: 429, retryAfter: 0 },
      { fault: 'status', status: 429, retryAfter: 0 },
    );
    const limited = await client(1)
      .messages.create({ model, max_tokens: 10, messages })
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(SDK.RateLimitError);
    expect(h.llm.requests).toHaveLength(2);
    const span = await onlySpanOfLastRequest();
    expect(span.attributes['error.type']).toBe('RateLimitError');
    expect(span.status.code).toBe(2);

    h.reset();
    h.llm.enqueue({ fault: 'status', status: 500 });
    const failed = await client()
      .messages.create({ model, max_tokens: 10, messages })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SDK.InternalServerError);
    expect((await onlySpanOfLastRequest()).attributes['error.type']).toBe('InternalServerError');
  });
});
