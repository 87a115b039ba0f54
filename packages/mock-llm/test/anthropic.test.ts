import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultAnthropicAgentTools, type MockLlmServer, startMockLlm } from '../src/index.js';
import { anthropicClient } from './clients.js';

let server: MockLlmServer;
beforeAll(async () => {
  server = await startMockLlm({ cache: { readInputTokens: 100, creationInputTokens: 20 } });
});
afterAll(() => server.close());
beforeEach(() => server.clearRequests());

const searchTool = {
  name: 'search',
  description: 'Search the web',
  input_schema: { type: 'object' as const, properties: { query: { type: 'string' } } },
};

describe('Anthropic messages', () => {
  it('answers a plain request with cache usage', async () => {
    server.enqueue({ text: 'Bonjour tout le monde' });
    const message = await anthropicClient(server).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      system: 'You translate.',
      messages: [{ role: 'user', content: 'Hello world' }],
    });
    expect(message.id).toMatch(/^msg_01/);
    expect(message.type).toBe('message');
    expect(message.content).toEqual([{ type: 'text', text: 'Bonjour tout le monde', citations: null }]);
    expect(message.stop_reason).toBe('end_turn');
    // 'You translate.' + '\n' + 'Hello world' = 26 chars -> 7 tokens.
    expect(message.usage).toMatchObject({
      input_tokens: 7,
      output_tokens: 4,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 20,
    });
  });

  it('streams the real event sequence, with ping and the final usage in message_delta', async () => {
    server.enqueue({ text: 'red green blue', usage: { cacheReadInputTokens: 5 } });
    const stream = await anthropicClient(server).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'colours' }],
      stream: true,
    });
    const events: RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = events[0];
    expect(start.type === 'message_start' && start.message.usage).toMatchObject({
      cache_read_input_tokens: 5,
      output_tokens: 1,
    });
    const delta = events.at(-2);
    expect(delta?.type === 'message_delta' && delta.delta.stop_reason).toBe('end_turn');
    expect(delta?.type === 'message_delta' && delta.usage.output_tokens).toBe(3);
    const raw = server.requests.at(-1);
    expect(raw?.path).toBe('/v1/messages');
  });

  it('sends ping events on the wire', async () => {
    server.enqueue({ text: 'pong' });
    const response = await server.fetch(`${server.anthropicBaseURL}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'm',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const body = await response.text();
    expect(body).toContain('event: ping\ndata: {"type":"ping"}\n\n');
    expect(body.startsWith('event: message_start\n')).toBe(true);
  });

  it('assembles text with messages.stream().finalMessage()', async () => {
    server.enqueue({ text: 'a streamed final message' });
    const stream = anthropicClient(server).messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'go' }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe('a streamed final message');
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'a streamed final message' });
    expect(final.usage).toMatchObject({ output_tokens: 4, cache_read_input_tokens: 100 });
  });

  it('streams tool_use input as input_json_delta that the SDK reassembles', async () => {
    server.enqueue({
      text: 'Let me search.',
      toolCalls: [{ name: 'search', arguments: { query: 'ebpf tls uprobes', limit: 5 } }],
    });
    const stream = anthropicClient(server).messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 256,
      tools: [searchTool],
      messages: [{ role: 'user', content: 'find it' }],
    });
    const partials: string[] = [];
    stream.on('inputJson', (partial) => partials.push(partial));
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Let me search.' });
    expect(final.content[1]).toMatchObject({
      type: 'tool_use',
      name: 'search',
      input: { query: 'ebpf tls uprobes', limit: 5 },
    });
    expect(final.content[1].type === 'tool_use' && final.content[1].id).toMatch(/^toolu_01/);
    expect(partials.length).toBeGreaterThan(1);
  });

  it('serves the beta client and the ?beta=true path', async () => {
    server.enqueue({ text: 'beta ok' }, { text: 'query ok' });
    const message = await anthropicClient(server).beta.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'beta ok' });
    const response = await server.fetch(`${server.anthropicBaseURL}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ content: [{ type: 'text', text: 'query ok' }] });
    expect(server.requests.at(-1)?.path).toBe('/v1/messages?beta=true');
  });

  it('advances the default tool loop over user tool_result turns', async () => {
    const client = anthropicClient(server);
    const messages: Parameters<typeof client.messages.create>[0]['messages'] = [
      { role: 'user', content: 'do the task' },
    ];
    const names: string[] = [];
    for (let turn = 0; turn < 3; turn++) {
      const reply = await client.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 1024,
        tools: defaultAnthropicAgentTools,
        messages,
      });
      messages.push({ role: 'assistant', content: reply.content });
      const toolUse = reply.content.find((block) => block.type === 'tool_use');
      if (!toolUse) {
        expect(reply.stop_reason).toBe('end_turn');
        const text = reply.content[0].type === 'text' ? reply.content[0].text : '';
        expect(text).toContain('result of tool 1');
        expect(text).toContain('result of tool 2');
        break;
      }
      names.push(toolUse.name);
      messages.push({
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: `result of tool ${turn + 1}` }],
      });
    }
    expect(names).toEqual(['run_shell', 'write_file']);
  });

  it('counts tokens like the messages endpoint reports them', async () => {
    const counted = await anthropicClient(server).messages.countTokens({
      model: 'claude-haiku-4-5',
      system: 'You translate.',
      messages: [{ role: 'user', content: 'Hello world' }],
    });
    expect(counted).toEqual({ input_tokens: 7 });
  });

  it('rejects a request without max_tokens with an invalid_request_error', async () => {
    const response = await server.fetch(`${server.anthropicBaseURL}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
  });
});
