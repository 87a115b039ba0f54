/**
 * bench:sidecar — what attaching the eBPF sidecar costs, in one run:
 *   (a) agent-like workload wall time with and without `agentsight-sidecar record`
 *   (b) saturating HTTPS loopback throughput (1 KiB and 64 KiB bodies) with and without, and loss;
 *       also with the BPF loader alone (records to /dev/null), to split the cost between the
 *       kernel capture and the sidecar's decoding
 *   (c) decode throughput of the TypeScript pipeline on recorded (and synthetic) captures, one core
 *   (d) sidecar RSS (node process + BPF loader) at steady state during (b)
 *   (e) the cost of one probed SSL call, by the instruction the probe sits on (uprobe-cost.mjs)
 * With and without runs alternate (A B B A …) so drift of the shared machine cancels.
 *
 *   node bench/sidecar/run.mjs [--quick] [--only a,b,c,e]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getServerCertificate } from '@agentsight/mock-llm';
import { sampleCpu } from '../lib/cpu-sampler.mjs';
import { forkWorker } from '../lib/ipc.mjs';
import { machineLine } from '../lib/machine.mjs';
import { fixed, printBanner } from '../lib/table.mjs';
import { enableBpfStats, watchBpfPrograms } from './bpf-stats.mjs';
import { runUnderLoaderOnly } from './capture-only.mjs';
import { printReport } from './report.mjs';
import { sampleSidecarRss } from './rss-sampler.mjs';
import { parseSummary, probeCapture, recordArgv, runTimed, sidecarCliPath } from './sidecar-cli.mjs';
import { measureUprobeCost } from './uprobe-cost.mjs';

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string', default: 'a,b,c,e' } },
});
const PLAN = args.quick
  ? { agentPairs: 1, agentSteps: 5, loadPairs: 1, loadMs: 2000, decodeSeconds: 0.5, uprobePairs: 5000 }
  : { agentPairs: 12, agentSteps: 12, loadPairs: 2, loadMs: 5000, decodeSeconds: 2, uprobePairs: 50_000 };
const LOAD_SIZES = [1024, 64 * 1024];
const LOAD_CONCURRENCY = 8;
const parts = new Set(args.only.split(','));

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'agentsight-bench-'));
const outFile = (name) => join(work, `${name}.json`);
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** `rounds` rounds of `modes`, every other one reversed (A B B A …, A B C C B A …) so drift cancels. */
function alternating(rounds, modes) {
  return Array.from({ length: rounds }, (_, i) => (i % 2 === 0 ? modes : [...modes].reverse())).flat();
}

/**
 * Runs `argv` plain or under `record`; `onSidecar` gets the sidecar pid (to watch it). Throws
 * when the command fails, so a broken run never becomes a figure.
 */
async function runMaybeTraced(argv, traced, { cli, env, sidecarOptions = [], onSidecar }) {
  const result = await runTimed(traced ? recordArgv(cli, sidecarOptions, argv) : argv, {
    env,
    onSpawn: onSidecar,
  });
  if (result.code !== 0)
    throw new Error(`${traced ? 'traced ' : ''}${argv.join(' ')} exited ${result.code}:\n${result.stderr}`);
  const summary = traced ? parseSummary(result.stderr) : undefined;
  if (traced && !summary) throw new Error(`no sidecar summary in stderr:\n${result.stderr}`);
  return { ...result, summary };
}

/** (a) */
async function agentWorkload(cli, services) {
  const runs = { false: [], true: [] };
  const argv = (out) => [
    process.execPath,
    here('./agent-workload.mjs'),
    out,
    services.openaiBaseURL,
    String(PLAN.agentSteps),
  ];
  const env = { NODE_EXTRA_CA_CERTS: services.caCertPath };
  const sidecarOptions = ['--otlp-endpoint', services.otlpEndpoint];
  // One untraced and one traced run first, not counted: page cache, JIT of the sidecar itself.
  for (const traced of [false, true])
    await runMaybeTraced(argv(outFile('agent-warmup')), traced, { cli, env, sidecarOptions });
  for (const [i, traced] of alternating(PLAN.agentPairs, [false, true]).entries()) {
    const out = outFile(`agent-${i}`);
    const result = await runMaybeTraced(argv(out), traced, { cli, env, sidecarOptions });
    runs[traced].push({ ...readJson(out), wallMs: result.wallMs, summary: result.summary });
    process.stdout.write(
      `(a) run ${i + 1}: ${traced ? 'with' : 'without'} sidecar, task ${fixed(runs[traced].at(-1).taskMs, 0)} ms\n`,
    );
  }
  return runs;
}

async function startLoadServer({ keyPath, certPath }) {
  const server = spawn(process.execPath, [here('./load-server.mjs'), keyPath, certPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.stdout.setEncoding('utf8').once('data', resolve);
  });
  return {
    url: `https://127.0.0.1:${JSON.parse(line).port}/`,
    pid: server.pid,
    stop: () => server.kill('SIGTERM'),
  };
}

const loadClientArgv = (out, url, size) => [
  process.execPath,
  here('./load-client.mjs'),
  out,
  url,
  String(size),
  String(LOAD_CONCURRENCY),
  String(PLAN.loadMs),
];

/** CPU µs each process spent in the client's counting window (after start-up and probe attach). */
function windowCpu(window, samples) {
  const within = (name) => samples.between(name, window.startMs, window.endMs);
  return {
    client: window.cpuMicros,
    server: within('server'),
    sidecar: within('sidecar'),
    loader: within('loader'),
  };
}

/** The runs of (b): without capture, under `record`, and with the BPF loader alone. */
const LOAD_MODES = ['plain', 'traced', 'captureOnly'];

/** One (b) run in `mode`; its CPU (and, traced, the sidecar's RSS) sampled while it runs. */
async function loadRun(mode, argv, { cli, env, sidecarOptions, server }) {
  let rss;
  let sidecarPid;
  let loaderPid;
  const cpu = sampleCpu(() => ({
    server: server.pid,
    sidecar: sidecarPid,
    loader: loaderPid ?? rss?.loaderPid(),
  }));
  if (mode === 'captureOnly') {
    const result = await runUnderLoaderOnly(argv, { env, onLoader: (pid) => (loaderPid = pid) });
    return { result, samples: cpu.stop() };
  }
  const result = await runMaybeTraced(argv, mode === 'traced', {
    cli,
    env,
    sidecarOptions,
    onSidecar: (pid) => {
      if (mode !== 'traced') return;
      sidecarPid = pid;
      rss = sampleSidecarRss(pid);
    },
  });
  return { result, samples: cpu.stop(), rss: rss?.stop() };
}

/** (b) and (d) */
async function saturatingLoad(cli, services) {
  const tls = await getServerCertificate();
  const server = await startLoadServer(tls);
  const env = { NODE_EXTRA_CA_CERTS: tls.certPath };
  const sidecarOptions = ['--otlp-endpoint', services.otlpEndpoint];
  const results = {};
  try {
    for (const size of LOAD_SIZES) {
      results[size] = Object.fromEntries(LOAD_MODES.map((mode) => [mode, []]));
      for (const [i, mode] of alternating(PLAN.loadPairs, LOAD_MODES).entries()) {
        const out = outFile(`load-${size}-${i}`);
        const run = await loadRun(mode, loadClientArgv(out, server.url, size), {
          cli,
          env,
          sidecarOptions,
          server,
        });
        const load = readJson(out);
        if (mode === 'captureOnly' && run.result.attachedAtMs > load.window.startMs)
          throw new Error(
            `the loader attached ${run.result.attachedAtMs - load.window.startMs} ms after the counting window opened: this run would undercount`,
          );
        results[size][mode].push({
          ...load,
          cpuMicros: windowCpu(load.window, run.samples),
          summary: run.result.summary,
          loaderRecords: run.result.records,
          rss: run.rss,
        });
        process.stdout.write(`(b) ${size} B ${mode}: ${fixed(load.requests / load.seconds, 0)} req/s\n`);
      }
    }
    results.bpf = await bpfProgramCost(cli, server, env, sidecarOptions);
  } finally {
    server.stop();
  }
  return results;
}

/** One extra traced 1 KiB run with kernel BPF stats on (not part of the ratio: stats cost a little). */
async function bpfProgramCost(cli, server, env, sidecarOptions) {
  let restore;
  try {
    restore = enableBpfStats();
  } catch (error) {
    return { error: `cannot enable kernel.bpf_stats_enabled: ${error.message}` };
  }
  let watcher;
  try {
    const out = outFile('load-bpf-stats');
    await runMaybeTraced(loadClientArgv(out, server.url, 1024), true, {
      cli,
      env,
      sidecarOptions,
      onSidecar: (pid) => (watcher = watchBpfPrograms(pid)),
    });
    return { programs: watcher.stop(), load: readJson(out) };
  } finally {
    restore();
  }
}

/** (c), pinned to one CPU. */
async function decodeThroughput() {
  const argv = [
    process.execPath,
    here('./decode-throughput.mjs'),
    outFile('decode'),
    String(PLAN.decodeSeconds),
  ];
  const result = await runTimed(['taskset', '-c', '1', ...argv]);
  if (result.code !== 0) throw new Error(`decode-throughput exited ${result.code}: ${result.stderr}`);
  return readJson(outFile('decode'));
}

async function main() {
  process.stdout.write(`bench:sidecar · ${machineLine()}\n`);
  const cli = sidecarCliPath();
  const probe = await probeCapture(cli);
  const unavailable = probe.reason;
  if (unavailable)
    printBanner(`eBPF capture cannot run here, so (a), (b), (d) and (e) are NOT measured: ${unavailable}`);
  else
    process.stdout.write(
      `fixed cost of \`record -- /bin/true\` (attach, flush, exit): ${fixed(probe.wallMs, 0)} ms\n`,
    );

  const report = {};
  try {
    if (!unavailable && (parts.has('a') || parts.has('b'))) {
      const services = await forkWorker(here('./services.mjs'));
      try {
        if (parts.has('a')) report.agent = await agentWorkload(cli, services.ready);
        if (parts.has('b')) report.load = await saturatingLoad(cli, services.ready);
      } finally {
        await services.close();
      }
    }
    if (parts.has('c')) report.decode = await decodeThroughput();
    if (!unavailable && parts.has('e')) {
      try {
        report.uprobeCost = await measureUprobeCost({ pairs: PLAN.uprobePairs });
      } catch (error) {
        printBanner(`(e) is NOT measured: ${error.message}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  printReport(report, { ...PLAN, loadSizes: LOAD_SIZES, concurrency: LOAD_CONCURRENCY });
}

await main();
