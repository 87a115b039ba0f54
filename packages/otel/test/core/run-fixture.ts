import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface FixtureRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The last stdout line that parses as JSON (what the scenario reports). */
  result: Record<string, unknown>;
}

const fixture = (file: string) => fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));
// `--import @agentsight/otel/register` resolves from the cwd: run inside the package, whichever
// folder vitest was started from.
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

/** Env without the OTEL/AgentSight/LangSmith settings of whoever runs the tests. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(OTEL_|AGENTSIGHT_|LANGSMITH_|TRACEPARENT|TRACESTATE|BAGGAGE|NODE_OPTIONS)/.test(key))
      env[key] = value;
  }
  return env;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Node flags before the script, e.g. ['--import', '@agentsight/otel/register']. */
  nodeArgs?: string[];
  /** Script in fixtures/; default app.mjs, which takes the scenario name. */
  script?: string;
  /** Called with the child once it printed `ready` (for signal tests). */
  onReady?: (child: ReturnType<typeof spawn>) => void;
  timeoutMs?: number;
}

/** Runs one scenario of a fixture script in a fresh Node process (init() registers process globals). */
export function runFixture(scenario: string, options: RunOptions = {}): Promise<FixtureRun> {
  const started = Date.now();
  const args = [...(options.nodeArgs ?? []), fixture(options.script ?? 'app.mjs'), scenario];
  const child = spawn(process.execPath, args, {
    cwd: packageDir,
    env: { ...cleanEnv(), OTEL_METRIC_EXPORT_INTERVAL: '600000', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let readySeen = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!readySeen && options.onReady && stdout.includes('ready\n')) {
      readySeen = true;
      options.onReady(child);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture ${scenario} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const jsonLine = stdout
        .trim()
        .split('\n')
        .reverse()
        .find((line) => line.startsWith('{'));
      resolve({
        code,
        signal,
        stdout,
        stderr,
        durationMs: Date.now() - started,
        result: jsonLine ? JSON.parse(jsonLine) : {},
      });
    });
  });
}
