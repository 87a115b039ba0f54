import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrument } from '../../src/genai/index.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  instrument(OpenAI);
});
afterAll(() => h?.close());

describe('GenAI client metrics', () => {
  it('token usage, duration and time to first chunk with semconv names, units, buckets', async () => {
    const client = new OpenAI({
      apiKey: 'sk',
      baseURL: h.llm.openaiBaseURL,
      fetch: h.llm.fetch,
      maxRetries: 0,
    });
    h.llm.enqueue({ text: 'a', usage: { inputTokens: 11, outputTokens: 5 } });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
    });
    h.llm.enqueue({ text: 'b c', usage: { inputTokens: 3, outputTokens: 2 } });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of stream);
    h.llm.enqueue({ fault: 'status', status: 500 });
    await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
      .catch(() => {});

    await h.meterProvider.forceFlush();
    const received = await h.rx.waitForMetrics((all) =>
      all.some((m) => m.name === 'gen_ai.client.token.usage'),
    );
    const byName = new Map(received.map((m) => [m.name, m]));

    const tokens = byName.get('gen_ai.client.token.usage')!;
    expect(tokens.unit).toBe('{token}');
    expect(tokens.type).toBe('histogram');
    const input = tokens.points.find((p) => p.attributes['gen_ai.token.type'] === 'input')!;
    const output = tokens.points.find((p) => p.attributes['gen_ai.token.type'] === 'output')!;
    expect(input).toMatchObject({ count: 2, sum: 14 });
    expect(output).toMatchObject({ count: 2, sum: 7 });
    expect(input.explicitBounds?.[0]).toBe(1);
    expect(input.explicitBounds?.at(-1)).toBe(67108864);
    expect(input.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': expect.any(String),
      'server.address': '127.0.0.1',
    });

    const duration = byName.get('gen_ai.client.operation.duration')!;
    expect(duration.unit).toBe('s');
    expect(duration.points[0].explicitBounds).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
    const failed = duration.points.find((p) => p.attributes['error.type'] === 'InternalServerError');
    expect(failed?.count).toBe(1);
    expect(duration.points.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(3);

    const ttfc = byName.get('gen_ai.client.operation.time_to_first_chunk')!;
    expect(ttfc.unit).toBe('s');
    expect(ttfc.points.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(1);
  });
});
