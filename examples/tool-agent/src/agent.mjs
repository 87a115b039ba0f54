// A small tool-using agent on the real `openai` client. It asks the model, runs the tool calls it
// gets back (run_shell spawns a shell, write_file writes a file), feeds the results back, and
// answers. Run it under `node --import @agentsight/otel/register` to trace it.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { traceAgent, traceTool, withSession } from '@agentsight/otel';
import OpenAI from 'openai';

const run = promisify(execFile);
const model = process.env.AGENT_MODEL ?? 'gpt-4o-mini';
const maxTurns = 6;

const tools = [
  {
    type: 'function',
    function: {
      name: 'run_shell',
      description: 'Run a shell command and return its output',
      parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'write_file',
      description: 'Write text to a file',
      parameters: {
        type: 'object',
        properties: { path: { type: 'string' }, content: { type: 'string' } },
        required: ['path', 'content'],
      },
    },
  },
];

const toolImplementations = {
  async run_shell({ command }) {
    const { stdout, stderr } = await run('/bin/sh', ['-c', command], { timeout: 30_000 });
    return `${stdout}${stderr}`.trim();
  },
  async write_file({ path, content }) {
    await writeFile(path, content);
    return `wrote ${Buffer.byteLength(content)} bytes to ${path}`;
  },
};

async function runTool(call) {
  const name = call.function.name;
  return traceTool(
    name,
    async () => {
      const impl = toolImplementations[name];
      if (!impl) return `unknown tool ${name}`;
      return impl(JSON.parse(call.function.arguments || '{}'));
    },
    { callId: call.id },
  );
}

async function main() {
  const client = new OpenAI();
  const task = process.argv[2] ?? 'Find out which OS this machine runs and save a note about it.';
  const messages = [
    { role: 'system', content: 'You are a careful ops agent. Use the tools to act, then answer briefly.' },
    { role: 'user', content: task },
  ];

  const answer = await withSession({ sessionId: `demo-${process.pid}`, userId: 'demo-user' }, () =>
    traceAgent('tool-agent', async () => {
      for (let turn = 0; turn < maxTurns; turn++) {
        const completion = await client.chat.completions.create({ model, messages, tools });
        const message = completion.choices[0].message;
        messages.push(message);
        if (!message.tool_calls?.length) return message.content;
        for (const call of message.tool_calls) {
          const result = await runTool(call);
          console.log(`tool ${call.function.name} → ${String(result).split('\n')[0]}`);
          messages.push({ role: 'tool', tool_call_id: call.id, content: String(result) });
        }
      }
      return '(gave up after too many turns)';
    }),
  );
  console.log(`agent answer: ${answer}`);
}

main().catch((error) => {
  console.error('agent failed:', error);
  process.exitCode = 1;
});
