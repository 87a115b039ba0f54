import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultAgentTools, type MockLlmServer, startMockLlm } from '../src/index.js';
import { openaiClient } from './clients.js';

let server: MockLlmServer;
beforeAll(async () => {
  server = await startMockLlm();
});
afterAll(() => server.close());
beforeEach(() => server.clearRequests());

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('OpenAI chat completions', () => {
  it('answers a plain request over HTTPS with deterministic usage', async () => {
    server.enqueue({ text: 'Hello there from the mock' });
    const completion = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello please' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0].message).toMatchObject({
      role: 'assistant',
      content: 'Hello there from the mock',
    });
    expect(completion.choices[0].finish_reason).toBe('stop');
    // 'Say hello please' = 16 chars -> 4 tokens; 5 words -> 5 tokens.
    expect(completion.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 });
  });

  it('streams content chunks and a final usage chunk with empty choices', async () => {
    server.enqueue({ text: 'one two three four', usage: { inputTokens: 11, outputTokens: 7 } });
    const stream = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('one two three four');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(4);
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('splits text into exactly the requested number of chunks', async () => {
    server.enqueue({ text: 'a reasonably long answer for the benchmark harness to stream', chunks: 20 });
    const stream = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
    });
    const pieces: string[] = [];
    for await (const chunk of stream) {
      expect(chunk.usage).toBeUndefined();
      const delta = chunk.choices[0]?.delta;
      if (delta && 'content' in delta && !delta.role) pieces.push(delta.content ?? '');
    }
    expect(pieces).toHaveLength(20);
    expect(pieces.join('')).toBe('a reasonably long answer for the benchmark harness to stream');
  });

  it('streams tool calls whose argument fragments the SDK stream helper reassembles', async () => {
    server.enqueue({
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Paris, France', units: 'celsius' } },
        { name: 'get_weather', arguments: { city: 'Tokyo' } },
      ],
    });
    const stream = openaiClient(server).chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [weatherTool],
    });
    const fragments: string[] = [];
    stream.on('chunk', (chunk) => {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? [])
        fragments.push(call.function?.arguments ?? '');
    });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0].message.tool_calls ?? [];
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ type: 'function', function: { name: 'get_weather' } });
    expect(calls[0].id).toMatch(/^call_/);
    if (calls[0].type !== 'function' || calls[1].type !== 'function')
      throw new Error('expected function calls');
    expect(JSON.parse(calls[0].function.arguments)).toEqual({ city: 'Paris, France', units: 'celsius' });
    expect(JSON.parse(calls[1].function.arguments)).toEqual({ city: 'Tokyo' });
    expect(fragments.filter(Boolean).length).toBeGreaterThan(3);
  });

  it('returns n choices', async () => {
    server.enqueue({ text: 'same answer' });
    const completion = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      n: 3,
    });
    expect(completion.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(completion.choices.every((c) => c.message.content === 'same answer')).toBe(true);
    expect(completion.usage?.completion_tokens).toBe(6);
  });

  it('streams n choices that the stream helper assembles separately', async () => {
    server.enqueue({ text: 'alpha beta' });
    const final = await openaiClient(server)
      .chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], n: 2 })
      .finalChatCompletion();
    expect(final.choices.map((c) => c.message.content)).toEqual(['alpha beta', 'alpha beta']);
  });

  it('truncates to max_completion_tokens with finish_reason length', async () => {
    server.enqueue({ text: 'one two three four five six' });
    const completion = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'count' }],
      max_completion_tokens: 3,
    });
    expect(completion.choices[0].message.content).toBe('one two three');
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(3);
  });

  it('reports configured cache tokens as cached prompt tokens', async () => {
    const cached = await startMockLlm({ cache: { readInputTokens: 2 } });
    try {
      const completion = await openaiClient(cached).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'a prompt of some length' }],
      });
      expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(2);
    } finally {
      await cached.close();
    }
  });

  it('runs the default agent tool loop when tools are declared', async () => {
    const completion = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'do the task' }],
      tools: defaultAgentTools,
    });
    const call = completion.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('run_shell');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({
      command: 'echo hello from the agent && uname -s',
    });
  });
});
