import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrument } from '../../src/genai/index.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  h = await startHarness();
  openai = instrument(
    new OpenAI({ apiKey: 'sk', baseURL: h.llm.openaiBaseURL, fetch: h.llm.fetch, maxRetries: 0 }),
    { captureContent: true },
  );
  anthropic = instrument(
    new Anthropic({ apiKey: 'sk', baseURL: h.llm.anthropicBaseURL, fetch: h.llm.fetch, maxRetries: 0 }),
    { captureContent: true },
  );
  // Without options, a repeated instrument() (e.g. a library doing it defensively) keeps capture on.
  instrument(OpenAI);
  instrument(Anthropic);
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

const json = (value: unknown) => JSON.parse(String(value));

describe('content capture (opt-in)', () => {
  it('openai chat: input/output messages, tool definitions, tool call arguments', async () => {
    h.llm.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Oslo?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bergen"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c0', content: 'rain' },
      ],
      tools: [weatherTool],
    });
    const callId = completion.choices[0].message.tool_calls?.[0].id;
    const span = await h.spanOfLastRequest();
    expect(json(span.attributes['gen_ai.input.messages'])).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Oslo?' }] },
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'c0', name: 'get_weather', arguments: { city: 'Bergen' } }],
      },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c0', response: 'rain' }] },
    ]);
    expect(json(span.attributes['gen_ai.tool.definitions'])).toEqual([
      {
        type: 'function',
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: weatherTool.function.parameters,
      },
    ]);
    expect(json(span.attributes['gen_ai.output.messages'])).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: callId, name: 'get_weather', arguments: { city: 'Oslo' } }],
        finish_reason: 'tool_calls',
      },
    ]);
    const event = span.events.find((e) => e.name === 'gen_ai.tool.call');
    expect(json(event?.attributes['gen_ai.tool.call.arguments'])).toEqual({ city: 'Oslo' });
  });

  it('openai stream: text accumulated into the output message', async () => {
    h.llm.enqueue({ text: 'sunny and warm', chunks: 3 });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather?' }],
      stream: true,
    });
    for await (const _ of stream);
    const span = await h.spanOfLastRequest();
    expect(json(span.attributes['gen_ai.output.messages'])).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'sunny and warm' }], finish_reason: 'stop' },
    ]);
  });

  it('openai responses: instructions become system instructions', async () => {
    h.llm.enqueue({ text: 'fine' });
    await openai.responses.create({ model: 'gpt-4.1', instructions: 'Be kind.', input: 'How are you?' });
    const span = await h.spanOfLastRequest();
    expect(json(span.attributes['gen_ai.system_instructions'])).toEqual([
      { type: 'text', content: 'Be kind.' },
    ]);
    expect(json(span.attributes['gen_ai.input.messages'])).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'How are you?' }] },
    ]);
    expect(json(span.attributes['gen_ai.output.messages'])[0].parts).toEqual([
      { type: 'text', content: 'fine' },
    ]);
  });

  it('anthropic streamed tool_use: arguments rebuilt from input_json_delta', async () => {
    h.llm.enqueue({ toolCalls: [{ name: 'read_file', arguments: { path: '/etc/hosts' } }] });
    const final = await anthropic.messages
      .stream({
        model: 'claude-opus-5-5',
        max_tokens: 100,
        system: 'Use tools.',
        messages: [{ role: 'user', content: 'Read hosts' }],
        tools: [{ name: 'read_file', description: 'Read a file', input_schema: { type: 'object' } }],
      })
      .finalMessage();
    const block: any = final.content.find((b) => b.type === 'tool_use');
    const span = await h.spanOfLastRequest();
    expect(json(span.attributes['gen_ai.system_instructions'])).toEqual([
      { type: 'text', content: 'Use tools.' },
    ]);
    expect(json(span.attributes['gen_ai.tool.definitions'])).toEqual([
      { type: 'function', name: 'read_file', description: 'Read a file', parameters: { type: 'object' } },
    ]);
    expect(json(span.attributes['gen_ai.output.messages'])).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: block.id, name: 'read_file', arguments: { path: '/etc/hosts' } }],
        finish_reason: 'tool_use',
      },
    ]);
  });

  it('capture off again: explicit re-instrumentation updates the options, no content', async () => {
    instrument(openai, { captureContent: false });
    h.llm.enqueue({ text: 'secret' });
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'pw?' }],
    });
    const span = await h.spanOfLastRequest();
    expect(Object.keys(span.attributes).filter((key) => key.includes('messages'))).toEqual([]);
  });
});
