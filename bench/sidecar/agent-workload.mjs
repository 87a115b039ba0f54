/**
 * (a) An agent-like task: each step streams a chat completion over HTTPS (the server thinks 50 ms,
 * then sends 20 chunks) and runs a tool as a child process. Writes its own task time, and the
 * parts of it spent in LLM calls and in tools, as JSON to the file named by argv[2]; process
 * start-up is excluded so the figures are the agent's work.
 *
 *   NODE_EXTRA_CA_CERTS=… node agent-workload.mjs OUT.json BASE_URL STEPS
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { OpenAI } from 'openai';

async function runTask(baseURL, steps) {
  const client = new OpenAI({ apiKey: 'sk-bench', baseURL, maxRetries: 0 });
  const run = promisify(execFile);
  const messages = [{ role: 'user', content: 'Inspect the repository and report.' }];
  const now = () => process.hrtime.bigint();
  const spent = { llm: 0n, tool: 0n };
  const start = now();
  for (let step = 0; step < steps; step++) {
    const llmStart = now();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    const toolStart = now();
    spent.llm += toolStart - llmStart;
    const { stdout } = await run('/bin/sh', ['-c', `echo step ${step}`]);
    spent.tool += now() - toolStart;
    messages.push({ role: 'assistant', content: text }, { role: 'user', content: stdout });
  }
  const ms = (ns) => Number(ns) / 1e6;
  return { taskMs: ms(now() - start), llmMs: ms(spent.llm), toolMs: ms(spent.tool) };
}

const [out, baseURL, steps] = process.argv.slice(2);
writeFileSync(out, JSON.stringify(await runTask(baseURL, Number(steps))));
