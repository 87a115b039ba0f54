import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createToolLoopScript,
  DEFAULT_OUTPUT_PATH,
  defaultAgentTools,
  defaultScript,
  type MockLlmServer,
  startMockLlm,
} from '../src/index.js';
import { anthropicClient, openaiClient } from './clients.js';

let server: MockLlmServer;
beforeAll(async () => {
  server = await startMockLlm();
});
afterAll(() => server.close());
beforeEach(() => {
  server.clearRequests();
  server.setScript(defaultScript);
});

/** Runs an OpenAI chat tool loop against the mock, answering each tool call with `toolOutput`. */
async function runChatLoop(toolOutput: (name: string, turn: number) => string) {
  const client = openaiClient(server);
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Please do the task' }];
  const calls: { name: string; arguments: Record<string, unknown> }[] = [];
  for (let turn = 0; turn < 5; turn++) {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      tools: defaultAgentTools,
    });
    const message = completion.choices[0].message;
    messages.push(message);
    if (!message.tool_calls?.length) return { calls, answer: message.content ?? '', turns: turn + 1 };
    for (const call of message.tool_calls) {
      if (call.type !== 'function') continue;
      calls.push({ name: call.function.name, arguments: JSON.parse(call.function.arguments) });
      messages.push({ role: 'tool', tool_call_id: call.id, content: toolOutput(call.function.name, turn) });
    }
  }
  throw new Error('the scripted loop did not finish');
}

describe('default agent script', () => {
  it('runs run_shell, then write_file with the shell output, then summarises', async () => {
    const { calls, answer, turns } = await runChatLoop((name) =>
      name === 'run_shell' ? 'hello from the agent\nLinux' : 'wrote 30 bytes',
    );
    expect(turns).toBe(3);
    expect(calls).toEqual([
      { name: 'run_shell', arguments: { command: 'echo hello from the agent && uname -s' } },
      {
        name: 'write_file',
        arguments: { path: DEFAULT_OUTPUT_PATH, content: 'Shell output:\nhello from the agent\nLinux' },
      },
    ]);
    expect(answer).toContain('Tool result 1: hello from the agent Linux');
    expect(answer).toContain('Tool result 2: wrote 30 bytes');
  });

  it('advances concurrent conversations independently', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => runChatLoop((name) => `${name} output of conversation ${i}`)),
    );
    results.forEach((result, i) => {
      expect(result.calls.map((c) => c.name)).toEqual(['run_shell', 'write_file']);
      expect(result.answer).toContain(`run_shell output of conversation ${i}`);
    });
  });

  it('answers plain text when the request declares no tools', async () => {
    const completion = await openaiClient(server).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What time is it?' }],
    });
    expect(completion.choices[0].message.content).toBe('This is a mock reply to: What time is it?');
  });
});

describe('custom scripts', () => {
  it('createToolLoopScript picks the step by completed tool rounds, repeating the last', async () => {
    server.setScript(
      createToolLoopScript([
        {
          toolCalls: [
            { name: 'a', arguments: {} },
            { name: 'b', arguments: {} },
          ],
        },
        (conversation) => ({ text: `saw ${conversation.toolResults.join('+')}` }),
      ]),
    );
    const client = anthropicClient(server);
    const first = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'go' }],
    });
    const toolUses = first.content.filter((block) => block.type === 'tool_use');
    expect(toolUses.map((block) => block.name)).toEqual(['a', 'b']);
    // Two parallel results in one user turn are one round, so the next step is the final answer.
    const second = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: toolUses.map((block, i) => ({
            type: 'tool_result' as const,
            tool_use_id: block.id,
            content: `r${i}`,
          })),
        },
      ],
    });
    expect(second.content[0]).toMatchObject({ type: 'text', text: 'saw r0+r1' });
  });

  it('rejects an empty step list', () => {
    expect(() => createToolLoopScript([])).toThrow(/at least one step/);
  });
});

describe('request recording', () => {
  it('records method, path, lower-cased headers (secrets included) and the body', async () => {
    const before = Date.now();
    await openaiClient(server).chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'record me' }] },
      { headers: { 'X-Trace-Id': 'trace-123' } },
    );
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test-openai');
    expect(request.headers['x-trace-id']).toBe('trace-123');
    expect(request.json).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'record me' }],
    });
    expect(JSON.parse(request.body)).toEqual(request.json);
    expect(request.receivedAt).toBeGreaterThanOrEqual(before);

    await anthropicClient(server).messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    // @anthropic-ai/sdk v1 sends its key as a bearer token.
    expect(server.requests[1].headers.authorization).toBe('Bearer sk-ant-test');
    expect(server.requests[1].headers['anthropic-version']).toBeDefined();
    server.clearRequests();
    expect(server.requests).toHaveLength(0);
  });
});
