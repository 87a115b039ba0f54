/** Turns bench:sdk batches into the printed tables: latency, CPU cost, span check, targets. */
import { median, percentile } from '../lib/stats.mjs';
import { fixed, markdownTable, printSection, signed, verdict } from '../lib/table.mjs';
import { VARIANTS } from './variants.mjs';
import { STREAM_CONTENT_CHUNKS } from './workload.mjs';

export const TRANSPORTS = ['loopback', 'canned'];
export const MODES = ['plain', 'stream'];
export const key = ({ transport, mode }) => `${transport}/${mode}`;

const TARGET = { plainAddedUs: 30, perChunkAddedUs: 1 };
const TITLES = {
  loopback: 'Loopback end to end (HTTP on 127.0.0.1, mock server in another process, zero think time)',
  canned: 'In-process, canned fetch (no network: the client plus its instrumentation only)',
};

const wallMedian = (batch) => median(batch.samples);
const cpuPerCall = (batch) => batch.cpuNs / batch.samples.length;

/** Median and interquartile range over rounds of (variant − baseline) in the same round. */
function pairedAdded(rounds, baselineRounds, metric) {
  const added = rounds.map((batch, i) => metric(batch) - metric(baselineRounds[i]));
  return { median: median(added), q1: percentile(added, 25), q3: percentile(added, 75) };
}

/** All figures in µs. */
function summarize(rounds, baselineRounds) {
  const centre = median(rounds.map(wallMedian));
  const us = (added) => ({ median: added.median / 1e3, q1: added.q1 / 1e3, q3: added.q3 / 1e3 });
  return {
    calls: rounds.reduce((n, batch) => n + batch.samples.length, 0),
    medianUs: centre / 1e3,
    p90Us:
      percentile(
        rounds.flatMap((batch) => batch.samples),
        90,
      ) / 1e3,
    ratio: centre / median(baselineRounds.map(wallMedian)),
    added: us(pairedAdded(rounds, baselineRounds, wallMedian)),
    cpuUs: median(rounds.map(cpuPerCall)) / 1e3,
    addedCpu: us(pairedAdded(rounds, baselineRounds, cpuPerCall)),
  };
}

const withIqr = (a) => `${signed(a.median)} [${fixed(a.q1)}, ${fixed(a.q3)}]`;

function transportTable(figures, variantNames, transport) {
  const rows = [];
  for (const name of variantNames) {
    const { plain, stream } = figures[name][transport];
    const isBase = name === 'baseline';
    for (const [mode, s] of [
      ['plain', plain],
      ['stream', stream],
    ]) {
      const chunkCells =
        mode === 'stream' && !isBase
          ? [
              fixed(s.added.median / STREAM_CONTENT_CHUNKS, 2),
              fixed(s.addedCpu.median / STREAM_CONTENT_CHUNKS, 2),
            ]
          : ['', ''];
      rows.push([
        VARIANTS[name].label,
        mode,
        s.calls,
        fixed(s.medianUs),
        fixed(s.p90Us),
        isBase ? '—' : withIqr(s.added),
        isBase ? '1.000' : fixed(s.ratio, 3),
        fixed(s.cpuUs),
        isBase ? '—' : withIqr(s.addedCpu),
        ...chunkCells,
      ]);
    }
  }
  return markdownTable(
    [
      'variant',
      'call',
      'calls',
      'median µs',
      'p90 µs',
      'added µs [IQR]',
      'ratio',
      'CPU µs/call',
      'added CPU µs [IQR]',
      'added µs/chunk',
      'added CPU µs/chunk',
    ],
    rows,
  );
}

/**
 * Contrib comparisons: the strict one (init() defaults vs bare contrib), and the like-for-like ones:
 * the same features (contrib with a MeterProvider) and the same scope (GenAI spans only).
 */
const CONTRIB_COMPARISONS = [
  ['agentsight', 'init()', 'contrib', 'contrib'],
  ['agentsight', 'init()', 'contrib-metrics', 'contrib + metrics'],
  ['agentsight-genai', 'GenAI only', 'contrib', 'contrib'],
];

function targetRows(figures) {
  const rows = [];
  const ours = figures.agentsight;
  if (!ours) return rows;
  for (const transport of ['canned', 'loopback']) {
    for (const [metric, field] of [
      ['wall', 'added'],
      ['CPU', 'addedCpu'],
    ]) {
      const plain = ours[transport].plain[field].median;
      const perChunk = ours[transport].stream[field].median / STREAM_CONTENT_CHUNKS;
      // What a chunk adds beyond the call itself (whose cost the plain target already covers).
      const marginalPerChunk = (ours[transport].stream[field].median - plain) / STREAM_CONTENT_CHUNKS;
      rows.push(
        [
          `${transport} ${metric}: plain added ≤ ${TARGET.plainAddedUs} µs`,
          fixed(plain),
          verdict(plain <= TARGET.plainAddedUs),
        ],
        [
          `${transport} ${metric}: stream added / ${STREAM_CONTENT_CHUNKS} chunks ≤ ${TARGET.perChunkAddedUs} µs`,
          fixed(perChunk, 2),
          verdict(perChunk <= TARGET.perChunkAddedUs),
        ],
        [
          `${transport} ${metric}: (stream − plain) added / ${STREAM_CONTENT_CHUNKS} chunks ≤ ${TARGET.perChunkAddedUs} µs`,
          fixed(marginalPerChunk, 2),
          verdict(marginalPerChunk <= TARGET.perChunkAddedUs),
        ],
      );
      for (const [mineName, mineLabel, theirName, theirLabel] of CONTRIB_COMPARISONS) {
        const mine = figures[mineName];
        const theirs = figures[theirName];
        if (!mine || !theirs) continue;
        for (const mode of MODES) {
          const a = mine[transport][mode][field].median;
          const b = theirs[transport][mode][field].median;
          rows.push([
            `${transport} ${metric}: ${mode} added, ${mineLabel} ≤ ${theirLabel} (${fixed(b)} µs)`,
            fixed(a),
            verdict(a <= b),
          ]);
        }
      }
    }
  }
  return rows;
}

export function printReport({ batches, variantNames, callsMade, spans, rejected }) {
  const figures = {};
  for (const name of variantNames) {
    figures[name] = {};
    for (const transport of TRANSPORTS) {
      figures[name][transport] = Object.fromEntries(
        MODES.map((mode) => {
          const k = key({ transport, mode });
          return [mode, summarize(batches[name][k], batches.baseline[k])];
        }),
      );
    }
  }
  for (const transport of TRANSPORTS)
    printSection(TITLES[transport], transportTable(figures, variantNames, transport));

  const spanTable = markdownTable(
    ['variant', 'calls made', 'spans received', 'spans per call'],
    variantNames.map((name) => {
      const received = spans[`bench-${name}`] ?? 0;
      return [VARIANTS[name].label, callsMade[name], received, fixed(received / callsMade[name], 2)];
    }),
  );
  const rejections =
    rejected.length > 0 ? `\n\nreceiver rejected ${rejected.length} requests: ${rejected[0]}` : '';
  printSection(
    'Spans received by the OTLP receiver (a check that each variant really traced)',
    spanTable + rejections,
  );
  printSection(
    'Targets (@agentsight/otel init() defaults unless the row says otherwise)',
    markdownTable(['target', 'measured', 'met'], targetRows(figures)),
  );
}
