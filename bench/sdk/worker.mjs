/**
 * One benchmark variant in its own process. Instruments first, then loads `openai` through
 * `require` (both instrumentations hook it there), and times calls on demand from the runner:
 * over loopback to the mock server, or against a canned in-process `fetch`.
 */
import { createRequire } from 'node:module';
import { serve } from '../lib/ipc.mjs';
import { cannedFetch, recordReplies } from './canned-fetch.mjs';
import { VARIANTS } from './variants.mjs';
import { CALLS, REPLY_TEXT, REQUESTS, STREAM_CONTENT_CHUNKS } from './workload.mjs';

const variantName = process.env.BENCH_VARIANT;
const variant = VARIANTS[variantName];
if (!variant) throw new Error(`unknown BENCH_VARIANT '${variantName}'`);
const openaiBaseURL = process.env.BENCH_OPENAI_BASE_URL;
const otlpURL = process.env.BENCH_OTLP_URL;

const recorded = await recordReplies(openaiBaseURL, REQUESTS);
const instrumentation = await variant.setup({ otlpURL, serviceName: process.env.OTEL_SERVICE_NAME });
const { OpenAI } = createRequire(import.meta.url)('openai');

const clients = {
  loopback: new OpenAI({ apiKey: 'bench', baseURL: openaiBaseURL, maxRetries: 0 }),
  canned: new OpenAI({
    apiKey: 'bench',
    baseURL: openaiBaseURL,
    maxRetries: 0,
    fetch: cannedFetch(recorded),
  }),
};

/** What each call must return: the reply's length, or at least the 20 content chunks of a stream. */
const isComplete = {
  plain: (length) => length === REPLY_TEXT.length,
  stream: (chunks) => chunks >= STREAM_CONTENT_CHUNKS,
};

let callsMade = 0;

/**
 * Times `iterations` sequential calls. Returns the wall time of each call (ns) and the process CPU
 * time of the whole batch (ns, user + system, GC and background export included): CPU time is not
 * inflated when other processes take the core away, so it measures the instrumentation's own cost
 * even on a busy machine. Throws on an incomplete reply.
 */
async function measure({ transport, mode, iterations }) {
  const client = clients[transport];
  const call = CALLS[mode];
  const samples = new Array(iterations);
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const result = await call(client);
    samples[i] = Number(process.hrtime.bigint() - start);
    if (!isComplete[mode](result)) throw new Error(`${transport} ${mode} call returned ${result}`);
  }
  const cpu = process.cpuUsage(cpuBefore);
  callsMade += iterations;
  return { samples, cpuNs: (cpu.user + cpu.system) * 1000 };
}

/** Exports what is still batched; returns how many calls were made, to check against spans received. */
async function flush() {
  await instrumentation.flush();
  return callsMade;
}

serve({ measure, flush });
