// The demo: runs the tool agent against the local mock LLM (or the real OpenAI API when
// OPENAI_API_KEY is set and OPENAI_BASE_URL is not), traced by @agentsight/otel, and — when
// running as root with the BPF programs built — under the eBPF sidecar too. Both export OTLP to a
// local receiver; the joined trace is printed as a tree and the sidecar's records go to a JSONL file.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { spanTree, startOtlpReceiver } from '@agentsight/testing';

const here = dirname(fileURLToPath(import.meta.url));
const exampleDir = resolve(here, '..');
const require = createRequire(import.meta.url);
const storeDir = resolve(process.env.AGENTSIGHT_DEMO_DIR ?? join(exampleDir, '..', '..', '.agentsight'));

/** Starts the mock LLM in its own process, so the sidecar sees only the agent's (client) side. */
async function startMockLlmProcess() {
  const cli = require.resolve('@agentsight/mock-llm').replace(/index\.c?js$/, 'cli.js');
  const child = spawn(process.execPath, [cli], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await Promise.race([
    (async () => {
      for await (const l of createInterface({ input: child.stdout })) return [l];
      return [undefined];
    })(),
    new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`mock-llm exited (${code})`)))),
  ]);
  const { url, caCertPath } = JSON.parse(line);
  return { url, caCertPath, stop: () => child.kill('SIGTERM') };
}

function sidecarCommand() {
  if (process.env.AGENTSIGHT_DEMO_SIDECAR === 'off') return { reason: 'AGENTSIGHT_DEMO_SIDECAR=off' };
  if (process.getuid?.() !== 0)
    return { reason: 'not running as root (eBPF needs root or CAP_BPF+CAP_PERFMON)' };
  let cli;
  try {
    cli = require.resolve('@agentsight/sidecar').replace(/index\.c?js$/, 'cli.js');
  } catch {
    return { reason: '@agentsight/sidecar is not built (run `pnpm build`)' };
  }
  if (!existsSync(cli)) return { reason: `${cli} is missing (run \`pnpm build\`)` };
  return { cli };
}

function run(command, args, options) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  mkdirSync(storeDir, { recursive: true });
  const receiver = await startOtlpReceiver();
  const useRealApi = Boolean(process.env.OPENAI_API_KEY && !process.env.OPENAI_BASE_URL);
  const mock = useRealApi ? undefined : await startMockLlmProcess();

  const env = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'tool-agent',
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
  };
  if (mock) {
    env.OPENAI_BASE_URL = `${mock.url}/v1`;
    env.OPENAI_API_KEY = 'sk-local-demo-key-not-a-secret';
    env.NODE_EXTRA_CA_CERTS = mock.caCertPath;
  }
  console.log(
    `LLM: ${mock ? `local mock at ${mock.url}` : 'the real OpenAI API'}; OTLP receiver at ${receiver.url}`,
  );

  const agent = [process.execPath, '--import', '@agentsight/otel/register', join(here, 'agent.mjs')];
  const sidecar = sidecarCommand();
  const jsonlPath = join(storeDir, 'demo-sidecar.jsonl');
  let status;
  if (sidecar.cli) {
    console.log(`eBPF sidecar: on (records → ${jsonlPath})\n`);
    const args = [sidecar.cli, 'record', '--otlp-endpoint', receiver.url, '--jsonl', jsonlPath];
    status = await run(process.execPath, [...args, '--capture-content', '--', ...agent], {
      cwd: exampleDir,
      env,
    });
  } else {
    console.log(`eBPF sidecar: off — ${sidecar.reason}\n`);
    status = await run(agent[0], agent.slice(1), { cwd: exampleDir, env });
  }
  mock?.stop();

  const wanted = (spans) =>
    spans.some((s) => s.name.startsWith('invoke_agent')) &&
    (!sidecar.cli || spans.some((s) => s.attributes['agentsight.source'] === 'ebpf'));
  try {
    await receiver.waitForSpans(wanted, 15_000);
  } catch (error) {
    console.error(`\nnot every expected span arrived: ${error.message}`);
    status ||= 1;
  }
  console.log('\nThe joined trace, as received over OTLP:\n');
  console.log(
    spanTree(receiver.spans, {
      attributes: [
        'gen_ai.usage.input_tokens',
        'gen_ai.usage.output_tokens',
        'gen_ai.response.finish_reasons',
        'process.command_args',
        'process.exit.code',
        'agentsight.source',
        'agentsight.correlation',
      ],
    }),
  );
  await receiver.close();
  process.exitCode = status;
}

main().catch((error) => {
  console.error('demo failed:', error);
  process.exitCode = 1;
});
