/**
 * bench:sdk — added latency of an instrumented `chat.completions.create`, plain and streamed
 * (20 content chunks), against the same client uninstrumented and against the OTel contrib
 * instrumentation, all in one run.
 *
 * Each variant runs in its own process; the mock server and OTLP receiver in another. Batches of
 * calls are interleaved across variants round by round, and the added cost is the median over
 * rounds of (variant − baseline) within the same round, so slow drift of the machine cancels.
 * Two transports: loopback HTTP end to end, and a canned in-process fetch that isolates the
 * instrumentation's own CPU cost.
 *
 *   node bench/sdk/run.mjs [--quick] [--rounds N] [--variants baseline,agentsight,...]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { forkWorker } from '../lib/ipc.mjs';
import { machineLine } from '../lib/machine.mjs';
import { key, MODES, printReport, TRANSPORTS } from './report.mjs';
import { VARIANTS } from './variants.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    variants: { type: 'string', default: Object.keys(VARIANTS).join(',') },
  },
});

/** Calls per batch; a round runs one batch of every (transport, mode) in every variant. */
const BATCH = args.quick
  ? { loopback: { plain: 40, stream: 20 }, canned: { plain: 200, stream: 100 } }
  : { loopback: { plain: 50, stream: 50 }, canned: { plain: 500, stream: 250 } };
const ROUNDS = Number(args.rounds ?? (args.quick ? 4 : 40));
const WARMUP_FACTOR = 3;

const variantNames = args.variants.split(',');
for (const name of variantNames) if (!VARIANTS[name]) throw new Error(`unknown variant '${name}'`);
if (variantNames[0] !== 'baseline') throw new Error('the first variant must be baseline');

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const combos = TRANSPORTS.flatMap((transport) => MODES.map((mode) => ({ transport, mode })));

async function main() {
  process.stdout.write(`bench:sdk · ${machineLine()}\n`);
  const services = await forkWorker(here('./services.mjs'));
  const { openaiBaseURL, otlpURL } = services.ready;
  const workers = {};
  try {
    for (const name of variantNames) {
      workers[name] = await forkWorker(here('./worker.mjs'), {
        env: {
          BENCH_VARIANT: name,
          BENCH_OPENAI_BASE_URL: openaiBaseURL,
          BENCH_OTLP_URL: otlpURL,
          OTEL_SERVICE_NAME: `bench-${name}`,
        },
      });
    }

    process.stdout.write(`warm-up (${WARMUP_FACTOR} batches per variant and workload)…\n`);
    for (const combo of combos) {
      for (const name of variantNames) {
        await workers[name].request({
          cmd: 'measure',
          ...combo,
          iterations: BATCH[combo.transport][combo.mode] * WARMUP_FACTOR,
        });
      }
    }

    /** batches[variant][combo] = one { samples, cpuNs } per round */
    const batches = Object.fromEntries(
      variantNames.map((n) => [n, Object.fromEntries(combos.map((c) => [key(c), []]))]),
    );
    const started = Date.now();
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so no variant always runs right after the same neighbour.
      const order = variantNames.map((_, i) => variantNames[(i + round) % variantNames.length]);
      for (const combo of combos) {
        for (const name of order) {
          const batch = await workers[name].request({
            cmd: 'measure',
            ...combo,
            iterations: BATCH[combo.transport][combo.mode],
          });
          batches[name][key(combo)].push(batch);
        }
      }
      process.stdout.write(
        `round ${round + 1}/${ROUNDS} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
      );
    }

    const callsMade = {};
    for (const name of variantNames) callsMade[name] = await workers[name].request({ cmd: 'flush' });
    // The receiver drains every 200 ms; give the last export time to land.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { spans, rejected } = await services.request({ cmd: 'spanCounts' });
    printReport({ batches, variantNames, callsMade, spans, rejected });
  } finally {
    await Promise.all(Object.values(workers).map((w) => w.close()));
    await services.close();
  }
}

await main();
