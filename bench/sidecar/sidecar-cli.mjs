/**
 * Runs commands under `agentsight-sidecar record` and reads back what it reported. The numbers
 * come from the one-line summary the CLI prints to stderr on exit (see sidecar/src/cli/summary.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Path of the built CLI, or undefined when @agentsight/sidecar has not been built. */
export function sidecarCliPath() {
  try {
    const entry = createRequire(import.meta.url).resolve('@agentsight/sidecar');
    const cli = join(dirname(entry), 'cli.js');
    return existsSync(cli) ? cli : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `argv` (to completion) and resolves with its exit code, wall time and stderr. `onSpawn`
 * gets the pid right after the spawn (to sample its memory).
 */
export function runTimed(argv, { env = {}, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      stderr += text;
    });
    child.once('error', reject);
    child.once('spawn', () => onSpawn?.(child.pid));
    child.once('close', (code, signal) =>
      resolve({ code, signal, stderr, wallMs: Number(process.hrtime.bigint() - start) / 1e6 }),
    );
  });
}

/** `node cli.js record [options] -- argv…` */
export function recordArgv(cli, options, argv) {
  return [process.execPath, cli, 'record', ...options, '--', ...argv];
}

const count = (pattern) => (line) => {
  const match = pattern.exec(line);
  return match ? Number(match[1]) : undefined;
};

const SUMMARY_FIELDS = {
  exchanges: count(/(\d+) HTTP exchanges?/),
  llmCalls: count(/\((\d+) LLM calls?/),
  processes: count(/traced (\d+) process/),
  spans: count(/(\d+) spans?\. Sent/),
  otlpExported: count(/OTLP (\d+) exported/),
  otlpDropped: count(/(\d+) dropped, \d+ failed/),
  otlpFailed: count(/(\d+) failed/),
  kernelDroppedRecords: count(/Lost: kernel (\d+) records?/),
  userDroppedRecords: count(/user (\d+) records?/),
  decoderDroppedBytes: count(/decoder (\d+) bytes in no record/),
  gapBytes: count(/(\d+) gap bytes/),
  parseErrors: count(/(\d+) parse errors?/),
  internalErrors: count(/(\d+) internal errors?/),
};

/** Fields of the sidecar's exit summary; `undefined` for any the line did not contain. */
export function parseSummary(stderr) {
  const line = stderr.split('\n').find((l) => l.startsWith('agentsight-sidecar: traced'));
  if (!line) return undefined;
  const fields = Object.fromEntries(Object.entries(SUMMARY_FIELDS).map(([name, read]) => [name, read(line)]));
  // "N internal errors" is only printed when there were some.
  fields.internalErrors ??= 0;
  return { line, ...fields };
}

/**
 * Whether a capture can start here: runs `record -- /bin/true`. Resolves { reason } when it cannot
 * (not built, no privileges, loader failure…), else { wallMs }: the fixed cost of `record` itself,
 * attaching the probes and flushing on exit around a command that does nothing.
 */
export async function probeCapture(cli) {
  if (!cli)
    return { reason: '@agentsight/sidecar is not built (run `pnpm --filter @agentsight/sidecar build`)' };
  const result = await runTimed(recordArgv(cli, [], ['/bin/true']));
  if (result.code === 0 && parseSummary(result.stderr)) return { wallMs: result.wallMs };
  const lastLines = result.stderr.trim().split('\n').slice(-3).join(' | ');
  return { reason: `\`agentsight-sidecar record -- /bin/true\` exited ${result.code}: ${lastLines}` };
}
