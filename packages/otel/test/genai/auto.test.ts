import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enableGenAIAutoInstrumentation, resolveGenAIOptions } from '../../src/genai/index.js';
import { type Harness, startHarness } from './harness.js';

const require = createRequire(import.meta.url);
const WRAPPED = Symbol.for('agentsight.genai.wrapped');

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

describe('enableGenAIAutoInstrumentation (require hook)', () => {
  it('patches openai on require, is idempotent, and disable() restores the SDK', async () => {
    const handle = enableGenAIAutoInstrumentation(resolveGenAIOptions());
    expect(enableGenAIAutoInstrumentation(resolveGenAIOptions())).toBe(handle);
    const { OpenAI } = require('openai');
    const { Anthropic } = require('@anthropic-ai/sdk');
    expect(OpenAI.Chat.Completions.prototype.create[WRAPPED]).toBeDefined();
    expect(Anthropic.Messages.prototype.create[WRAPPED]).toBeDefined();
    // The CJS export is a factory function: the request hook must be found on the client class behind it.
    expect(OpenAI.prototype.prepareRequest[WRAPPED]).toBeDefined();
    expect(Anthropic.prototype.prepareRequest[WRAPPED]).toBeDefined();

    const client = new OpenAI({
      apiKey: 'sk',
      baseURL: h.llm.openaiBaseURL,
      fetch: h.llm.fetch,
      maxRetries: 0,
    });
    h.llm.enqueue({ text: 'auto' });
    await client.chat.completions.create({
      model: 'auto-model',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect((await h.spanOfLastRequest()).name).toBe('chat auto-model');

    handle.disable();
    expect(OpenAI.Chat.Completions.prototype.create[WRAPPED]).toBeUndefined();
    expect(Anthropic.Messages.prototype.create[WRAPPED]).toBeUndefined();
    expect(OpenAI.prototype.prepareRequest[WRAPPED]).toBeUndefined();
    h.llm.enqueue({ text: 'plain' });
    await client.chat.completions.create({
      model: 'auto-model',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(h.lastRequestHeader('x-trace-id')).toBeUndefined();
    expect(h.lastRequestHeader('traceparent')).toBeUndefined();
  });
});
