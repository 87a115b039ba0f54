import { type MockLlmServer, startMockLlm } from '@agentsight/mock-llm';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUndiciInstrumentation, instrument, resolveGenAIOptions } from '../../src/genai/index.js';
import { type Harness, parentSpanIdOf, startHarness } from './harness.js';

let h: Harness;
let llm: MockLlmServer;
let other: MockLlmServer;
let unregister: () => void;

beforeAll(async () => {
  h = await startHarness();
  // Plain HTTP: global fetch (undici) cannot be told to trust the mock's self-signed certificate in-process.
  llm = await startMockLlm({ tls: false });
  other = await startMockLlm({ tls: false });
  const llmHost = new URL(llm.url).host;
  unregister = registerInstrumentations({
    instrumentations: [createUndiciInstrumentation(resolveGenAIOptions({ llmHosts: [llmHost] }))],
  });
  instrument(OpenAI);
});
afterAll(async () => {
  unregister?.();
  await llm?.close();
  await other?.close();
  await h?.close();
});
beforeEach(() => {
  h.reset();
  llm.clearRequests();
  other.clearRequests();
});

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const post = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk', ...headers },
    body: chatBody,
  }).then((response) => response.json());

describe('createUndiciInstrumentation', () => {
  it('plain fetch to a configured LLM host: HTTP span, traceparent and X-Trace-Id', async () => {
    await post(llm.url);
    const headers = llm.requests[0].headers;
    const spans = await h.rx.waitForSpans((all) => all.some((s) => s.traceId === headers['x-trace-id']));
    const httpSpan = spans.find((s) => s.traceId === headers['x-trace-id'])!;
    expect(httpSpan.kindName).toBe('CLIENT');
    expect(httpSpan.attributes['http.request.method']).toBe('POST');
    expect(parentSpanIdOf(String(headers.traceparent))).toBe(httpSpan.spanId);
  });

  it('other hosts get traceparent but no X-Trace-Id', async () => {
    await post(other.url);
    const headers = other.requests[0].headers;
    expect(String(headers.traceparent)).toMatch(/^00-[0-9a-f]{32}-/);
    expect(headers['x-trace-id']).toBeUndefined();
  });

  it('a request that already carries trace headers gets no second copy', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await post(llm.url, { traceparent, 'x-trace-id': '0af7651916cd43dd8448eb211c80319c' });
    expect(llm.requests[0].headers.traceparent).toBe(traceparent);
    expect(llm.requests[0].headers['x-trace-id']).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('an instrumented SDK call over global fetch carries exactly one traceparent: the LLM span', async () => {
    const client = new OpenAI({ apiKey: 'sk', baseURL: `${llm.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const headers = llm.requests[0].headers;
    expect(typeof headers.traceparent).toBe('string');
    expect(String(headers.traceparent)).not.toContain(',');
    expect(String(headers['x-trace-id'])).not.toContain(',');
    const spans = await h.rx.waitForSpans((all) => all.some((s) => s.attributes['gen_ai.provider.name']));
    const llmSpan = spans.find((s) => s.attributes['gen_ai.provider.name'])!;
    expect(parentSpanIdOf(String(headers.traceparent))).toBe(llmSpan.spanId);
    expect(headers['x-trace-id']).toBe(llmSpan.traceId);
  });
});
