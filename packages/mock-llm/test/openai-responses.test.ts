import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockLlmServer, startMockLlm } from '../src/index.js';
import { openaiClient } from './clients.js';

let server: MockLlmServer;
beforeAll(async () => {
  server = await startMockLlm();
});
afterAll(() => server.close());

const lookupTool = {
  type: 'function' as const,
  name: 'lookup',
  parameters: { type: 'object', properties: { q: { type: 'string' } } },
  strict: false,
};

describe('OpenAI responses', () => {
  it('answers a plain request', async () => {
    server.enqueue({ text: 'The answer is 42' });
    const response = await openaiClient(server).responses.create({
      model: 'gpt-4.1-mini',
      instructions: 'Be brief.',
      input: 'What is the answer?',
    });
    expect(response.id).toMatch(/^resp_/);
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('The answer is 42');
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    // 'Be brief.' + '\n' + 'What is the answer?' = 29 chars -> 8 tokens; 4 words.
    expect(response.usage).toMatchObject({ input_tokens: 8, output_tokens: 4, total_tokens: 12 });
  });

  it('streams text events in order and the stream helper builds the final response', async () => {
    server.enqueue({ text: 'streamed words arrive here' });
    const stream = openaiClient(server).responses.stream({ model: 'gpt-4.1-mini', input: 'stream please' });
    const events: ResponseStreamEvent[] = [];
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('streamed words arrive here');
    expect(final.usage?.output_tokens).toBe(4);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toEqual(
      expect.arrayContaining([
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.done',
        'response.output_item.done',
      ]),
    );
    expect(types.filter((t) => t === 'response.output_text.delta')).toHaveLength(4);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  });

  it('streams function call arguments as deltas', async () => {
    server.enqueue({ toolCalls: [{ name: 'lookup', arguments: { q: 'observability for agents' } }] });
    const stream = await openaiClient(server).responses.create({
      model: 'gpt-4.1-mini',
      input: [{ role: 'user', content: 'look it up' }],
      tools: [lookupTool],
      stream: true,
    });
    let assembled = '';
    let done: string | undefined;
    let completed: unknown;
    for await (const event of stream) {
      if (event.type === 'response.function_call_arguments.delta') assembled += event.delta;
      if (event.type === 'response.function_call_arguments.done') done = event.arguments;
      if (event.type === 'response.completed') completed = event.response.output[0];
    }
    expect(JSON.parse(assembled)).toEqual({ q: 'observability for agents' });
    expect(done).toBe(assembled);
    expect(completed).toMatchObject({ type: 'function_call', name: 'lookup', arguments: assembled });
  });

  it('counts function_call_output items as tool rounds of the default loop', async () => {
    const response = await openaiClient(server).responses.create({
      model: 'gpt-4.1-mini',
      tools: [lookupTool],
      input: [
        { role: 'user', content: 'go' },
        { type: 'function_call', call_id: 'call_1', name: 'run_shell', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'hello from the agent' },
      ],
    });
    const call = response.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ name: 'write_file' });
    expect(call?.type === 'function_call' && JSON.parse(call.arguments).content).toContain(
      'hello from the agent',
    );
  });
});

describe('OpenAI embeddings', () => {
  it('returns deterministic unit vectors per input, identical via float and base64 encodings', async () => {
    const client = openaiClient(server);
    // The SDK asks for base64 by default and decodes it.
    const first = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['cat', 'dog'] });
    const again = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'cat',
      encoding_format: 'float',
    });
    expect(first.data).toHaveLength(2);
    expect(first.data[0].embedding).toHaveLength(1536);
    expect(again.data[0].embedding).toEqual(first.data[0].embedding);
    expect(first.data[1].embedding).not.toEqual(first.data[0].embedding);
    const norm = Math.hypot(...first.data[0].embedding);
    expect(norm).toBeCloseTo(1, 5);
    expect(first.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
  });

  it('honours dimensions', async () => {
    const result = await openaiClient(server).embeddings.create({
      model: 'text-embedding-3-large',
      input: 'x',
      dimensions: 64,
    });
    expect(result.data[0].embedding).toHaveLength(64);
  });
});
