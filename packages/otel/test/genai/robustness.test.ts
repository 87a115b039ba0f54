import { propagation, type TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
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

const throwing: TextMapPropagator = {
  inject() {
    throw new Error('broken propagator');
  },
  extract: (context) => context,
  fields: () => [],
};

describe('instrumentation failures never break the call', () => {
  it('a throwing propagator: the call succeeds, the span is still recorded', async () => {
    propagation.disable();
    propagation.setGlobalPropagator(throwing);
    try {
      const client = new OpenAI({
        apiKey: 'sk',
        baseURL: h.llm.openaiBaseURL,
        fetch: h.llm.fetch,
        maxRetries: 0,
      });
      h.llm.enqueue({ text: 'still fine' });
      const completion = await client.chat.completions.create({
        model: 'robust-model',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(completion.choices[0].message.content).toBe('still fine');
      expect(h.lastRequestHeader('traceparent')).toBeUndefined();
      const spans = await h.genAISpans(1);
      expect(spans[0].name).toBe('chat robust-model');
    } finally {
      propagation.disable();
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    }
  });
});
