/**
 * (c) Decode throughput of the TypeScript pipeline on one core. Captures of LLM traffic are pushed
 * through the `TlsStreamDecoder` alone, then through the whole `createPipeline` (decode → redact →
 * correlate) with exporters off, once keeping every body and once as the CLI runs by default (no
 * body leaves, so only LLM bodies are kept). Each case repeats its capture with fresh state until MIN_SECONDS
 * have passed. Captures: one recorded from real client/server traffic (always), and the sidecar's
 * synthetic generator (random split points, many interleaved connections) when it is exported.
 * Writes { cases, skipped } as JSON to OUT.json; MB = 10^6 bytes of plaintext.
 *
 *   taskset -c 1 node decode-throughput.mjs OUT.json [MIN_SECONDS]
 */
import { writeFileSync } from 'node:fs';
import * as sidecar from '@agentsight/sidecar';
import { recordLlmCapture } from './recorded-capture.mjs';

const [out, minSeconds] = process.argv.slice(2);
const MIN_SECONDS = Number(minSeconds ?? 2);

const SYNTHETIC = {
  'synthetic LLM mix, 64 KiB replies': {
    connections: 16,
    exchangesPerConnection: 8,
    responseBytes: 64 * 1024,
  },
  'synthetic LLM mix, 4 KiB replies': {
    connections: 16,
    exchangesPerConnection: 32,
    responseBytes: 4 * 1024,
  },
  'synthetic OpenAI chat streams, 16 KiB': {
    connections: 16,
    exchangesPerConnection: 16,
    responseBytes: 16 * 1024,
    kinds: ['openai-chat-stream'],
  },
};

function decoderRun(events) {
  let records = 0;
  let errors = 0;
  const decoder = new sidecar.TlsStreamDecoder({
    onRecord: () => {
      records++;
    },
    onError: () => {
      errors++;
    },
  });
  for (const event of events) decoder.push(event);
  decoder.flushAll(events.at(-1).tsNs + 1n);
  return { records, errors };
}

/**
 * The whole pipeline, exporters off. With `keepBodies` every body is kept and redacted, as with
 * --jsonl or --capture-content (less their own output work); without, as the CLI runs by default,
 * no body leaves, so the decoder keeps only those of LLM calls, to parse them.
 */
const pipelineRun = (keepBodies) => async (events) => {
  const pipeline = sidecar.createPipeline({ otlp: false, keepBodies });
  for (const event of events) pipeline.handle(event);
  const stats = await pipeline.stop();
  return { records: stats.decode.exchanges, errors: stats.internalErrors + stats.decode.parseErrors };
};

/** Repeats `run` until MIN_SECONDS of work, after one untimed warm-up pass. */
async function throughput(capture, run) {
  const first = await run(capture.events);
  let passes = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < MIN_SECONDS) {
    await run(capture.events);
    passes++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return { mbPerSecond: (capture.bytes * passes) / elapsed / 1e6, passes, ...first };
}

const captures = { 'recorded openai chat, plain + streamed (400-word replies)': await recordLlmCapture() };
const skipped = [];
if (typeof sidecar.generateSyntheticCapture === 'function') {
  for (const [name, options] of Object.entries(SYNTHETIC)) {
    captures[name] = sidecar.generateSyntheticCapture({ seed: 42, ...options });
  }
} else {
  skipped.push('synthetic captures: @agentsight/sidecar does not export generateSyntheticCapture');
}

const cases = [];
for (const [name, capture] of Object.entries(captures)) {
  cases.push({
    capture: name,
    bytes: capture.bytes,
    events: capture.events.length,
    exchanges: capture.exchanges,
    decoder: await throughput(capture, decoderRun),
    pipeline: await throughput(capture, pipelineRun(true)),
    pipelineNoBodies: await throughput(capture, pipelineRun(false)),
  });
}
writeFileSync(out, JSON.stringify({ cases, skipped }));
