/**
 * (b) "kernel capture only": the BPF loader alone traces the client and writes its records to
 * /dev/null, with no sidecar decoding them. Next to the plain and the fully traced runs this
 * splits the throughput cost into what the uprobes and the ring buffer take (in the traced
 * process and the loader) and what the sidecar's decoding and export take.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLoader } from '@agentsight/sidecar';
import { runTimed } from './sidecar-cli.mjs';

/**
 * The client runs node through a symlink with this name, so its comm is unique and the loader
 * (`--comm`) tracks it from its exec on, before its first instruction, as `record` would.
 */
const CLIENT_COMM = 'asbench-client';

/**
 * Starts the loader tracing processes that exec as `comm`, records to /dev/null; resolves once it is
 * ready. `attachedAtMs()`: wall-clock ms of its first TLS attach, if any.
 */
export async function startLoader(comm = CLIENT_COMM) {
  const loader = spawn(findLoader(), ['--comm', comm], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  let attachedAtMs;
  const exited = new Promise((resolve, reject) => {
    loader.once('error', reject);
    loader.once('close', (code) => resolve({ code, stderr }));
  });
  await new Promise((resolve, reject) => {
    loader.stderr.setEncoding('utf8').on('data', (text) => {
      stderr += text;
      if (attachedAtMs === undefined && /attached TLS probes/.test(stderr)) attachedAtMs = Date.now();
      if (/ready \(/.test(stderr)) resolve();
    });
    exited.then(({ code }) => reject(new Error(`loader exited ${code} before it was ready:\n${stderr}`)));
  });
  const stop = () => {
    loader.stdin.end();
    return exited;
  };
  return { pid: loader.pid, attachedAtMs: () => attachedAtMs, stop };
}

/**
 * Runs `argv` (argv[0] must be node) with only the loader attached. `onLoader` gets the loader's
 * pid (to sample its CPU). `attachedAtMs` lets the caller check the probes were in place before
 * its counting window opened; `records` is what the loader forwarded (to /dev/null).
 */
export async function runUnderLoaderOnly(argv, { env, onLoader }) {
  const dir = mkdtempSync(join(tmpdir(), 'agentsight-capture-only-'));
  const node = join(dir, CLIENT_COMM);
  symlinkSync(argv[0], node);
  const loader = await startLoader();
  onLoader?.(loader.pid);
  let result;
  let stopped;
  try {
    result = await runTimed([node, ...argv.slice(1)], { env });
  } finally {
    stopped = await loader.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  if (result.code !== 0) throw new Error(`${argv.join(' ')} exited ${result.code}:\n${result.stderr}`);
  const attachedAtMs = loader.attachedAtMs();
  const counts = /stopped: (\d+) records, (\d+) bytes forwarded/.exec(stopped.stderr);
  if (stopped.code !== 0 || !counts || attachedAtMs === undefined)
    throw new Error(
      `loader-only run failed (exit ${stopped.code}, attached ${attachedAtMs !== undefined}):\n${stopped.stderr}`,
    );
  return { ...result, attachedAtMs, records: Number(counts[1]), bytes: Number(counts[2]) };
}
