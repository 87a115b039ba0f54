import OpenAI from 'openai';
import OpenAIv4 from 'openai-v4';
import OpenAIv7 from 'openai-v7';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrument } from '../../src/genai/index.js';
import { type Harness, parentSpanIdOf, startHarness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  instrument(OpenAI, { captureContent: false });
  instrument(OpenAIv4, { captureContent: false });
  instrument(OpenAIv7, { captureContent: false });
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

const messages = [{ role: 'user' as const, content: 'hi' }];

type AnyOpenAI = OpenAI | OpenAIv4;

describe.each([
  ['v7', OpenAIv7],
  ['v6', OpenAI],
  ['v4', OpenAIv4],
] as const)('openai %s', (_version, SDK) => {
  const client = (maxRetries = 0): any =>
    new (SDK as any)({ apiKey: 'sk-test', baseURL: h.llm.openaiBaseURL, fetch: h.llm.fetch, maxRetries });

  it('create: semconv span, traceparent and X-Trace-Id of that span', async () => {
    h.llm.enqueue({ text: 'Hello there' });
    const completion = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      max_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
      stop: ['END'],
    });
    expect(completion.choices[0].message.content).toBe('Hello there');
    const span = await h.spanOfLastRequest();
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.kindName).toBe('CLIENT');
    expect(span.status.code).toBe(0);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.stream': false,
      'gen_ai.response.id': completion.id,
      'gen_ai.response.model': completion.model,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': completion.usage.prompt_tokens,
      'gen_ai.usage.output_tokens': completion.usage.completion_tokens,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(h.llm.openaiBaseURL).port),
    });
    expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
    expect(h.lastRequestHeader('x-trace-id')).toBe(span.traceId);
    expect(parentSpanIdOf(h.lastRequestHeader('traceparent'))).toBe(span.spanId);
  });

  it('does not mutate the caller options and keeps caller headers', async () => {
    h.llm.enqueue({ text: 'ok' });
    const options = { headers: { 'x-app': 'mine' } };
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages }, options);
    expect(options).toEqual({ headers: { 'x-app': 'mine' } });
    expect(h.lastRequestHeader('x-app')).toBe('mine');
    expect(h.lastRequestHeader('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it('trace headers: a header the caller sets to null is omitted, the other one is still sent', async () => {
    h.llm.enqueue({ text: 'ok' });
    await client().chat.completions.create(
      { model: 'gpt-4o-mini', messages },
      { headers: { traceparent: null } },
    );
    expect(h.lastRequestHeader('traceparent')).toBeUndefined();
    const span = await h.spanOfLastRequest();
    expect(h.lastRequestHeader('x-trace-id')).toBe(span.traceId);
  });

  it('trace headers: a subclass overriding prepareRequest without super still sends them', async () => {
    const Base = SDK as unknown as new (options: Record<string, unknown>) => object;
    // Replaces the hook entirely: our wrapper on the SDK class is never reached.
    const Custom = class extends Base {
      async prepareRequest(): Promise<void> {}
    };
    const custom: any = new Custom({
      apiKey: 'sk',
      baseURL: h.llm.openaiBaseURL,
      fetch: h.llm.fetch,
      maxRetries: 0,
    });
    h.llm.enqueue({ text: 'ok' });
    await custom.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const span = await h.spanOfLastRequest();
    expect(parentSpanIdOf(h.lastRequestHeader('traceparent'))).toBe(span.spanId);
  });

  it('awaited only after its response arrived: ended by the parsed body', async () => {
    h.llm.enqueue({ text: 'late' });
    const pending = client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    while (h.llm.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const completion = await pending;
    const span = await h.spanOfLastRequest();
    expect(span.attributes['gen_ai.response.id']).toBe(completion.id);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(completion.usage.completion_tokens);
  });

  it('stream: usage from the final chunk, time to first chunk, Stream API intact', async () => {
    h.llm.enqueue({ text: 'one two three', chunks: 3 });
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(typeof stream.tee).toBe('function');
    expect(typeof stream.toReadableStream).toBe('function');
    expect(stream.controller).toBeInstanceOf(AbortController);
    let text = '';
    let usage: any;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('one two three');
    const span = await h.spanOfLastRequest();
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(h.llm.requests.at(-1)?.json).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('stream without include_usage: request unchanged, span ends without usage', async () => {
    h.llm.enqueue({ text: 'a b' });
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const _ of stream);
    expect(h.llm.requests.at(-1)?.json).not.toHaveProperty('stream_options');
    const span = await h.spanOfLastRequest();
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
  });

  it('stream: break out of for-await ends the span once, without error', async () => {
    h.llm.enqueue({ text: 'a b c d e f g h', chunkDelayMs: 5 });
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let seen = 0;
    for await (const _ of stream) {
      if (++seen === 2) break;
    }
    const span = await h.spanOfLastRequest();
    expect(span.status.code).toBe(0);
    expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it('stream: connection reset mid-stream marks the span as error and rethrows', async () => {
    h.llm.enqueue({ fault: 'reset-mid-stream', afterChunks: 2 });
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const caught = await (async () => {
      for await (const _ of stream);
    })().catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(Error);
    const span = await h.spanOfLastRequest();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe((caught as Error).constructor.name);
    expect(span.events.some((event) => event.name === 'exception')).toBe(true);
  });

  it('stream: tee() halves both read; one span ends after the source is drained', async () => {
    h.llm.enqueue({ text: 'x y z' });
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const [left, right] = stream.tee();
    const read = async (half: typeof left) => {
      let text = '';
      for await (const chunk of half) text += chunk.choices[0]?.delta?.content ?? '';
      return text;
    };
    expect(await Promise.all([read(left), read(right)])).toEqual(['x y z', 'x y z']);
    const span = await h.spanOfLastRequest();
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
  });

  it('stream: toReadableStream() still works and ends the span', async () => {
    h.llm.enqueue({ text: 'p q' });
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const reader = stream.toReadableStream().getReader();
    const decoder = new TextDecoder();
    let lines = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) lines += decoder.decode(r.value);
    expect(lines).toContain('"content":"p');
    const span = await h.spanOfLastRequest();
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
  });

  it('withResponse() and asResponse() keep their SDK behaviour', async () => {
    h.llm.enqueue({ text: 'with' });
    const { data, response } = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0].message.content).toBe('with');
    const withSpan = await h.spanOfLastRequest();
    expect(withSpan.attributes['gen_ai.response.id']).toBe(data.id);

    h.reset();
    h.llm.enqueue({ text: 'raw' });
    const raw = await client().chat.completions.create({ model: 'gpt-4o-mini', messages }).asResponse();
    const body = await raw.json();
    expect(body.choices[0].message.content).toBe('raw');
    const rawSpan = await h.spanOfLastRequest();
    expect(rawSpan.attributes['http.response.status_code']).toBe(200);
    expect(rawSpan.attributes['gen_ai.response.id']).toBeUndefined();
  });

  it('parse() and the stream() helper produce one span each', async () => {
    const sdk: any = client();
    const completions = sdk.chat.completions.parse ? sdk.chat.completions : sdk.beta.chat.completions;
    h.llm.enqueue({ text: '{"answer":4}' });
    const parsed = await completions.parse({
      model: 'gpt-4o-mini',
      messages,
      response_format: { type: 'json_object' },
    });
    expect(parsed.choices[0].message.content).toBe('{"answer":4}');
    const parseSpan = await h.spanOfLastRequest();
    expect(parseSpan.attributes['gen_ai.output.type']).toBe('json');
    // Ended by the parsed body, not by the response-time fallback.
    expect(parseSpan.attributes['gen_ai.response.id']).toBe(parsed.id);

    h.reset();
    h.llm.enqueue({ text: 'streamed helper' });
    const runner = completions.stream({ model: 'gpt-4o-mini', messages });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].message.content).toBe('streamed helper');
    const streamSpan = await h.spanOfLastRequest();
    expect(streamSpan.attributes['gen_ai.request.stream']).toBe(true);
    expect(streamSpan.attributes['gen_ai.response.id']).toBe(final.id);
  });

  it('responses.create, plain and streamed', async () => {
    h.llm.enqueue({ text: 'resp' });
    const response = await client().responses.create({
      model: 'gpt-4.1',
      input: 'hello',
      max_output_tokens: 64,
    });
    const span = await h.spanOfLastRequest();
    expect(span.name).toBe('chat gpt-4.1');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.response.id': response.id,
      'gen_ai.usage.input_tokens': response.usage.input_tokens,
      'gen_ai.usage.output_tokens': response.usage.output_tokens,
    });

    h.reset();
    h.llm.enqueue({ text: 'streamed resp' });
    const stream = await client().responses.create({ model: 'gpt-4.1', input: 'hello', stream: true });
    let completed: any;
    for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
    const streamSpan = await h.spanOfLastRequest();
    expect(streamSpan.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': completed.id,
      'gen_ai.usage.output_tokens': completed.usage.output_tokens,
      'gen_ai.response.finish_reasons': ['completed'],
    });
  });

  it('embeddings.create', async () => {
    const result = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'abc' });
    const span = await h.spanOfLastRequest();
    expect(span.name).toBe('embeddings text-embedding-3-small');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.usage.input_tokens': result.usage.prompt_tokens,
    });
  });

  it('tool calls: name and id as span events, arguments only with content capture', async () => {
    h.llm.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const completion = await client().chat.completions.create({ model: 'gpt-4o-mini', messages });
    const call = completion.choices[0].message.tool_calls[0];
    const span = await h.spanOfLastRequest();
    const events = span.events.filter((event) => event.name === 'gen_ai.tool.call');
    expect(events.map((event) => event.attributes)).toEqual([
      { 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.id': call.id, 'gen_ai.tool.type': 'function' },
    ]);
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
  });

  it('streamed tool calls are assembled from deltas', async () => {
    h.llm.enqueue({ toolCalls: [{ name: 'search', arguments: { q: 'otel' } }] });
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let id: string | undefined;
    for await (const chunk of stream) id ??= chunk.choices[0]?.delta?.tool_calls?.[0]?.id;
    const span = await h.spanOfLastRequest();
    const event = span.events.find((e) => e.name === 'gen_ai.tool.call');
    expect(event?.attributes).toMatchObject({ 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.id': id });
    expect(event?.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
  });

  it('429 after retries: one span, error type, same error object rethrown', async () => {
    h.llm.enqueue(
      { fault: 'status', status: 429, retryAfter: 0 },
      { fault: 'status', status: 429, retryAfter: 0 },
    );
    const error = await client(1)
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SDK.RateLimitError);
    expect(h.llm.requests).toHaveLength(2);
    const span = await h.spanOfLastRequest();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('RateLimitError');
    expect(span.attributes['http.response.status_code']).toBe(429);
    expect(
      span.events.find((event) => event.name === 'exception')?.attributes['exception.type'],
    ).toBeDefined();
    expect(h.llm.requests[0].headers['x-trace-id']).toBe(h.llm.requests[1].headers['x-trace-id']);
  });

  it('connection reset before any response: APIConnectionError recorded', async () => {
    h.llm.enqueue({ fault: 'reset' });
    const error = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SDK.APIConnectionError);
    const span = await h.spanOfLastRequest();
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('APIConnectionError');
  });

  it('500: InternalServerError recorded', async () => {
    h.llm.enqueue({ fault: 'status', status: 500 });
    const error = await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SDK.InternalServerError);
    const span = await h.spanOfLastRequest();
    expect(span.attributes['error.type']).toBe('InternalServerError');
  });
});

describe('instrumenting twice', () => {
  it('module + class + instance instrumentation still yields one span per call', async () => {
    const client = new OpenAI({
      apiKey: 'sk',
      baseURL: h.llm.openaiBaseURL,
      fetch: h.llm.fetch,
      maxRetries: 0,
    });
    instrument(OpenAI);
    instrument(client, { captureContent: false });
    instrument({ default: OpenAI } as unknown as AnyOpenAI);
    h.llm.enqueue({ text: 'one' }, { text: 'two' });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const spans = await h.genAISpans(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.rx.spans.filter((s) => s.attributes['gen_ai.provider.name'])).toHaveLength(2);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(2);
  });
});
