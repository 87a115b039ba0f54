import { type MockLlmServer, startMockLlm } from '@agentsight/mock-llm';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrument } from '../../src/genai/index.js';

// Spans land in memory synchronously when they end, so each test can check that the span had already
// ended at the moment the caller's loop got `done`, broke out or caught the error.
let llm: MockLlmServer;
let provider: NodeTracerProvider;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  llm = await startMockLlm();
  provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  instrument(OpenAI);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  await llm.close();
});
beforeEach(() => {
  exporter.reset();
  llm.clearRequests();
});

const client = () =>
  new OpenAI({ apiKey: 'sk', baseURL: llm.openaiBaseURL, fetch: llm.fetch, maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'hi' }];
const stream = () =>
  client().chat.completions.create({
    model: 'gpt-4o-mini',
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });

describe('a streamed call has ended its span by the time the caller moves on', () => {
  it('after the last chunk, with usage and every chunk delivered exactly once', async () => {
    llm.enqueue({ text: 'a b c d', chunks: 4 });
    const chunks: unknown[] = [];
    for await (const chunk of await stream()) chunks.push(chunk);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(spans[0].attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    // role, 4 content chunks, finish, usage
    expect(chunks).toHaveLength(7);
  });

  it('after a break, with no chunk read on the caller’s behalf', async () => {
    llm.enqueue({ text: 'a b c d e f', chunks: 6, chunkDelayMs: 5 });
    const iterator = (await stream())[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await iterator.return?.();
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0].status.code).toBe(0);
    expect(spans[0].attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('when the stream fails, before the caller’s catch runs', async () => {
    llm.enqueue({ fault: 'reset-mid-stream', afterChunks: 1 });
    let endedBeforeCatch = false;
    try {
      for await (const _ of await stream());
    } catch {
      endedBeforeCatch = exporter.getFinishedSpans().length === 1;
    }
    expect(endedBeforeCatch).toBe(true);
    expect(exporter.getFinishedSpans()[0].status.code).toBe(2);
  });

  it('when the caller throws into the iterator', async () => {
    llm.enqueue({ text: 'a b c', chunks: 3, chunkDelayMs: 5 });
    const iterator = (await stream())[Symbol.asyncIterator]();
    await iterator.next();
    const thrown = new Error('consumer gave up');
    await expect(iterator.throw?.(thrown)).rejects.toBe(thrown);
    const [span] = exporter.getFinishedSpans();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('Error');
  });
});
