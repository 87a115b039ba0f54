/**
 * (b) "kernel capture only": the BPF loader alone traces the client and writes its records to
 * /dev/null, with no sidecar decoding them. Next to the plain and the fully traced runs this
 * splits the throughput cost into what the uprobes and the ring buffer take (in the traced
 * process and the loader) and what the sidecar's decoding and export take.
 */
import { spawn } from 'node:child_process';
import { findLoader } from '@agentsight/sidecar';
import { runTimed } from './sidecar-cli.mjs';

/** Starts the loader on `pid`; `attached` resolves with the wall-clock ms its TLS probes were in place. */
function startLoader(pid) {
  const loader = spawn(findLoader(), ['--pid', String(pid)], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  let onAttached;
  const attached = new Promise((resolve) => {
    onAttached = resolve;
  });
  loader.stderr.setEncoding('utf8').on('data', (text) => {
    stderr += text;
    if (/attached TLS probes/.test(stderr)) onAttached(Date.now());
  });
  const exited = new Promise((resolve, reject) => {
    loader.once('error', reject);
    loader.once('close', (code) => resolve({ code, stderr }));
  });
  const stop = () => {
    loader.stdin.end();
    return exited;
  };
  return { pid: loader.pid, attached, stop };
}

/**
 * Runs `argv` with the loader attached right after its spawn. `onLoader` gets the loader's pid
 * (to sample its CPU). `attachedAtMs` lets the caller check the probes were in place before its
 * counting window opened; `records` is what the loader forwarded (to /dev/null).
 */
export async function runUnderLoaderOnly(argv, { env, onLoader }) {
  let loader;
  const result = await runTimed(argv, {
    env,
    onSpawn: (pid) => {
      loader = startLoader(pid);
      onLoader?.(loader.pid);
    },
  });
  if (result.code !== 0) throw new Error(`${argv.join(' ')} exited ${result.code}:\n${result.stderr}`);
  const attachedAtMs = await Promise.race([loader.attached, new Promise((r) => setTimeout(r, 0, undefined))]);
  const { code, stderr } = await loader.stop();
  const stopped = /stopped: (\d+) records, (\d+) bytes forwarded/.exec(stderr);
  if (code !== 0 || !stopped || attachedAtMs === undefined)
    throw new Error(
      `loader-only run failed (exit ${code}, attached ${attachedAtMs !== undefined}):\n${stderr}`,
    );
  return { ...result, attachedAtMs, records: Number(stopped[1]), bytes: Number(stopped[2]) };
}
