/** Turns bench:sidecar results into the printed tables and the target check. */
import { median } from '../lib/stats.mjs';
import { fixed, markdownTable, printBanner, printSection, signed, verdict } from '../lib/table.mjs';
import { PAYLOAD_BYTES as UPROBE_PAYLOAD_BYTES } from './uprobe-cost.mjs';

const TARGET = { agentOverheadPct: 1, throughputRatio: 0.85, decodeMBps: 150, rssMB: 200 };
const MB = 1e6;
const pct = (ratio) => (ratio - 1) * 100;

const AGENT_METRICS = {
  taskMs: 'task (all steps)',
  llmMs: '  of which LLM calls',
  toolMs: '  of which tool processes',
  wallMs: 'process wall (incl. sidecar attach + flush)',
};

function printAgent(agent, plan, targets) {
  // The k-th traced run ran next to the k-th untraced one (A B B A …): compare within pairs.
  const paired = (field) => agent.true.map((run, k) => pct(run[field] / agent.false[k][field]));
  const rows = Object.entries(AGENT_METRICS).map(([field, label]) => {
    const overhead = paired(field);
    return [
      label,
      fixed(median(agent.false.map((r) => r[field]))),
      fixed(median(agent.true.map((r) => r[field]))),
      `${signed(median(overhead), 2)} % [${fixed(Math.min(...overhead), 2)}, ${fixed(Math.max(...overhead), 2)}]`,
    ];
  });
  const seen = agent.true[0].summary;
  printSection(
    `(a) Agent-like workload: ${plan.agentSteps} steps of (HTTPS stream, 50 ms think, 20 chunks) + a child process, ${agent.true.length} runs each way`,
    `${markdownTable(['median ms', 'without', 'with sidecar', 'overhead, median over pairs [min, max]'], rows)}\n\n` +
      `Sidecar saw per run: ${seen.exchanges} HTTP exchanges, ${seen.llmCalls} LLM calls, ${seen.processes} processes.`,
  );
  const taskOverhead = median(paired('taskMs'));
  targets.push([
    `(a) agent task-time overhead ≤ ${TARGET.agentOverheadPct} %`,
    `${fixed(taskOverhead, 2)} %`,
    verdict(taskOverhead <= TARGET.agentOverheadPct),
  ]);
}

/**
 * Compares what the client completed with what the sidecar decoded. `unreported` counts exchanges
 * missing while every loss counter stayed at zero; `surplus` counts exchanges the sidecar reported
 * beyond those the client completed (e.g. requests it could not pair with a response).
 */
function lossCheck(run) {
  const s = run.summary;
  const missing = run.completed - s.exchanges;
  const reported =
    s.kernelDroppedRecords +
      s.userDroppedRecords +
      s.gapBytes +
      s.parseErrors +
      s.decoderDroppedBytes +
      s.internalErrors >
    0;
  return { missing, unreported: missing > 0 && !reported ? missing : 0, surplus: Math.max(0, -missing) };
}

/**
 * CPU µs per request of each process in the counting window, median over runs: where the
 * throughput goes on a machine whose cores the load saturates. The uprobes' trap and BPF time is
 * charged (as system time) to the process that made the SSL call.
 */
function cpuPerRequestRows(label, runs) {
  const perRequest = (list, micros) => median(list.map((run) => micros(run) / run.requests));
  const client = (run) => run.cpuMicros.client;
  const server = (run) => run.cpuMicros.server;
  const sidecar = (run) => run.cpuMicros.sidecar;
  const loader = (run) => run.cpuMicros.loader;
  const baseTotal = perRequest(runs.plain, (run) => client(run) + server(run));
  const row = (name, list, withSidecar, withLoader) => {
    const total = perRequest(
      list,
      (run) => client(run) + server(run) + (withSidecar ? sidecar(run) : 0) + (withLoader ? loader(run) : 0),
    );
    const added = total - baseTotal;
    return [
      label,
      name,
      fixed(perRequest(list, client)),
      fixed(perRequest(list, server)),
      withSidecar ? fixed(perRequest(list, sidecar)) : '—',
      withLoader ? fixed(perRequest(list, loader)) : '—',
      fixed(total),
      withLoader ? `+${fixed(added)} (${fixed((100 * added) / baseTotal, 0)} %)` : '',
    ];
  };
  return [
    row('without', runs.plain, false, false),
    row('loader only (records to /dev/null)', runs.captureOnly, false, true),
    row('with sidecar', runs.traced, true, true),
  ];
}

function printLoad(load, plan, targets) {
  const rows = [];
  const lossRows = [];
  const rssRows = [];
  const cpuRows = [];
  for (const size of plan.loadSizes) {
    const rate = (runs, field) => median(runs.map((r) => r[field] / r.seconds));
    const without = load[size].plain;
    const withSidecar = load[size].traced;
    const captureOnly = load[size].captureOnly;
    const ratio = rate(withSidecar, 'requests') / rate(without, 'requests');
    const captureRatio = rate(captureOnly, 'requests') / rate(without, 'requests');
    const label = size >= 1024 * 1024 ? `${size / 1024 / 1024} MiB` : `${size / 1024} KiB`;
    rows.push([
      label,
      fixed(rate(without, 'requests'), 0),
      fixed(rate(withSidecar, 'requests'), 0),
      fixed(rate(without, 'bytes') / MB, 1),
      fixed(rate(withSidecar, 'bytes') / MB, 1),
      fixed(ratio, 3),
      fixed(rate(captureOnly, 'requests'), 0),
      fixed(captureRatio, 3),
    ]);
    targets.push([
      `(b) ${label} throughput ratio ≥ ${TARGET.throughputRatio}`,
      fixed(ratio, 3),
      verdict(ratio >= TARGET.throughputRatio),
    ]);
    let unreported = 0;
    let surplus = 0;
    for (const run of withSidecar) {
      const s = run.summary;
      const loss = lossCheck(run);
      unreported += loss.unreported;
      surplus += loss.surplus;
      lossRows.push([
        label,
        run.completed,
        s.exchanges,
        loss.missing,
        `${s.kernelDroppedRecords} rec / ${s.userDroppedRecords} rec`,
        `${s.gapBytes} B gap, ${s.parseErrors} parse, ${s.decoderDroppedBytes} B in no record`,
        `${s.otlpExported} / ${s.otlpDropped} / ${s.otlpFailed}`,
        loss.unreported,
        loss.surplus,
      ]);
      const r = run.rss;
      rssRows.push([
        label,
        r.count,
        `${fixed(r.sidecar.steadyBytes / MB)} / ${fixed(r.sidecar.maxBytes / MB)}`,
        r.loaderFound
          ? `${fixed(r.loader.steadyBytes / MB)} / ${fixed(r.loader.maxBytes / MB)}`
          : 'not found',
        `${fixed(r.total.steadyBytes / MB)} / ${fixed(r.total.maxBytes / MB)}`,
      ]);
    }
    cpuRows.push(...cpuPerRequestRows(label, load[size]));
    const peakMB = Math.max(...withSidecar.map((run) => run.rss.total.maxBytes)) / MB;
    targets.push([
      `(d) ${label} sidecar RSS (node + loader) ≤ ${TARGET.rssMB} MB, peak over runs`,
      fixed(peakMB),
      verdict(peakMB <= TARGET.rssMB),
    ]);
    targets.push([
      `(b) ${label} zero unreported loss`,
      `${unreported} missing unreported, ${surplus} surplus`,
      verdict(unreported === 0),
    ]);
  }
  printSection(
    `(b) Saturating HTTPS loopback load: ${plan.concurrency} keep-alive connections, POST + same-size reply, ${plan.loadMs / 1000} s per run, median of ${plan.loadPairs} runs each`,
    `${markdownTable(
      [
        'body',
        'req/s without',
        'req/s with',
        'MB/s without',
        'MB/s with',
        'ratio',
        'req/s loader only',
        'ratio loader only',
      ],
      rows,
    )}\n\n"Loader only": the BPF programs and the loader, writing records to /dev/null, no sidecar. Its ratio is the ceiling the kernel capture leaves; the rest of the gap is the sidecar's decoding and export, on the same two cores.`,
  );
  printSection(
    '(b) CPU per request in the counting window, µs (user + system, median over runs; uprobe traps and BPF time count as system time of the process making the SSL call)',
    markdownTable(
      ['body', 'run', 'client', 'server', 'sidecar node', 'BPF loader', 'total', 'added'],
      cpuRows,
    ),
  );
  printSection(
    '(b) Loss accounting per traced run (every request the client completed, warm-up included)',
    markdownTable(
      [
        'body',
        'completed',
        'sidecar exchanges',
        'missing',
        'kernel / user drops',
        'decoder',
        'OTLP exported / dropped / failed',
        'unreported',
        'surplus',
      ],
      lossRows,
    ),
  );
  printSection(
    '(d) Sidecar RSS during (b), MB (steady = median of the second half of 200 ms samples / peak)',
    markdownTable(
      ['body', 'samples', 'sidecar node steady / peak', 'BPF loader steady / peak', 'total steady / peak'],
      rssRows,
    ),
  );
  if (load.bpf?.error) printBanner(`BPF program statistics not measured: ${load.bpf.error}`);
  else if (load.bpf) {
    printSection(
      `Kernel-side cost per BPF program (kernel.bpf_stats_enabled, one extra 1 KiB run: ${load.bpf.load.completed} requests, ${fixed(load.bpf.load.requests / load.bpf.load.seconds, 0)} req/s)`,
      markdownTable(
        ['program', 'type', 'runs', 'avg ns per run', 'total ms', 'µs per request'],
        load.bpf.programs.map((p) => [
          p.name,
          p.type,
          p.runs,
          fixed(p.avgNs, 0),
          fixed(p.totalMs),
          fixed((p.totalMs * 1e3) / load.bpf.load.completed, 2),
        ]),
      ),
    );
  }
}

function printDecode(decode, targets) {
  for (const reason of decode.skipped) printBanner(`(c) NOT measured: ${reason}`);
  const rows = decode.cases.map((c) => [
    c.capture,
    fixed(c.bytes / MB, 1),
    c.events,
    `${c.decoder.records}/${c.exchanges} (${c.decoder.errors} errors)`,
    fixed(c.decoder.mbPerSecond, 0),
    `${c.pipeline.records}/${c.exchanges} (${c.pipeline.errors} errors)`,
    fixed(c.pipeline.mbPerSecond, 0),
    `${fixed(c.pipelineNoBodies.mbPerSecond, 0)} (${c.pipelineNoBodies.records}/${c.exchanges}, ${c.pipelineNoBodies.errors} errors)`,
  ]);
  printSection(
    '(c) Decode throughput on one core (taskset -c 1), MB = 10^6 plaintext bytes',
    markdownTable(
      [
        'capture',
        'MB per pass',
        'events',
        'decoder exchanges',
        'TlsStreamDecoder MB/s',
        'pipeline exchanges',
        'createPipeline MB/s, every body kept',
        'createPipeline MB/s, no body exported (CLI default)',
      ],
      rows,
    ),
  );
  const slowest = Math.min(...decode.cases.map((c) => c.decoder.mbPerSecond));
  const slowestPipeline = Math.min(...decode.cases.map((c) => c.pipeline.mbPerSecond));
  targets.push([
    `(c) decoder ≥ ${TARGET.decodeMBps} MB/s (slowest capture)`,
    fixed(slowest, 0),
    verdict(slowest >= TARGET.decodeMBps),
  ]);
  targets.push([
    `(c) whole pipeline ≥ ${TARGET.decodeMBps} MB/s (slowest capture, bodies kept)`,
    fixed(slowestPipeline, 0),
    verdict(slowestPipeline >= TARGET.decodeMBps),
  ]);
}

function printUprobeCost(rows) {
  printSection(
    `(e) One probed SSL call, ns (median of 3 runs of a C loop calling SSL_write/SSL_read, ${UPROBE_PAYLOAD_BYTES} B payloads)`,
    markdownTable(
      [
        'first instruction of the probed function',
        'no probes',
        'probed, process not traced',
        'traced (payload into the ring)',
      ],
      rows.map((row) => [row.variant, fixed(row.plain), fixed(row.untraced, 0), fixed(row.traced, 0)]),
    ),
  );
}

/** `plan` says how the runs were made: agentSteps, loadMs, loadPairs, loadSizes, concurrency. */
export function printReport(report, plan) {
  const targets = [];
  if (report.agent) printAgent(report.agent, plan, targets);
  if (report.load) printLoad(report.load, plan, targets);
  if (report.decode) printDecode(report.decode, targets);
  if (report.uprobeCost) printUprobeCost(report.uprobeCost);
  printSection('Targets', markdownTable(['target', 'measured', 'met'], targets));
}
