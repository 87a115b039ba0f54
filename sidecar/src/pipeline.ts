import { getBooleanFromEnv } from '@opentelemetry/core';
import type { CaptureEvent, LossEvent } from './capture/events.js';
import type { CaptureStats } from './capture/index.js';
import {
  type ActivityEvent,
  type CorrelateStats,
  Correlator,
  type Placement,
} from './correlate/correlator.js';
import type { SpanRecord } from './correlate/span-record.js';
import { TlsStreamDecoder } from './decode/index.js';
import type { DecodedRecord, DecodeStats } from './decode/types.js';
import { type JsonlStats, JsonlWriter } from './export/jsonl-writer.js';
import { otlpEndpointFromEnvironment } from './export/otlp-config.js';
import {
  type OtlpExportOptions,
  type OtlpExportStats,
  OtlpSpanExporter,
} from './export/otlp-span-exporter.js';
import { resolveServiceName, sidecarResource } from './export/resource.js';
import { spanToJson } from './export/span-json.js';
import { createRedactor, DEFAULT_SECRET_PATTERNS, type RedactOptions } from './redact/index.js';
import { createTextRedactor } from './redact/text-redactor.js';

export interface PipelineOptions {
  /** Resource `service.name`; default OTEL_SERVICE_NAME, else `agentsight-sidecar`. */
  serviceName?: string;
  /**
   * OTLP/protobuf span export. Default: on when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set.
   * `false` turns it off even then.
   */
  otlp?: OtlpExportOptions | false;
  /** Write every record, span and stats snapshot as JSON lines to this file. */
  jsonlPath?: string;
  /** Bodies and GenAI messages on spans. Default: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT. */
  captureContent?: boolean;
  /** Extra redaction on top of the built-in secret headers. */
  redact?: Omit<RedactOptions, 'omitBodies'>;
  /**
   * Keep (and redact) every HTTP body even when nothing exports bodies. Default: bodies are kept
   * only with JSONL or content capture on, and otherwise only those of LLM calls, to parse them.
   */
  keepBodies?: boolean;
  /** Per HTTP message body kept by the decoder. */
  maxBodyBytes?: number;
  /** Period of JSONL `stats` records; 0 = only the final one. Default 10000. */
  statsIntervalMs?: number;
  /** Bound on how long stop() waits for the collector. Default 5000. */
  shutdownTimeoutMs?: number;
  /** Warnings and errors, one line each (no trailing newline). */
  onLog?: (line: string) => void;
}

/** Cumulative losses between the kernel and the sidecar, from the latest LossEvent. */
export interface LossStats {
  kernelDroppedRecords: number;
  kernelDroppedBytes: number;
  userDroppedRecords: number;
}

export interface PipelineStats {
  /** Present once a capture handle is attached. */
  capture?: CaptureStats;
  loss: LossStats;
  decode: DecodeStats;
  correlate: CorrelateStats;
  otlp?: OtlpExportStats;
  jsonl?: JsonlStats & { path: string };
  /** Events or records that made a stage throw; each one was logged. */
  internalErrors: number;
}

export interface Pipeline {
  /** Feeds one capture event (the capture stage's onEvent, or a test). Never throws. */
  handle(event: CaptureEvent): void;
  /** Feeds an already decoded record (replay, tests); it is redacted like decoder output. Never throws. */
  handleRecord(record: DecodedRecord): void;
  /** Starts tracking a process that is already running, from /proc; false if it does not exist. */
  adopt(pid: number): boolean;
  /** Resolves true once the exit of `pid` went through the pipeline, false after `timeoutMs`. */
  waitForExit(pid: number, timeoutMs: number): Promise<boolean>;
  /** Lets stats (and JSONL stats records) include the capture's own counters. */
  attachCapture(stats: () => CaptureStats): void;
  stats(): PipelineStats;
  /** Flushes decoders, ends running process spans, drains exporters. Idempotent. */
  stop(): Promise<PipelineStats>;
}

const SCOPE = { name: '@agentsight/sidecar', version: '0.1.0' };

/** Wall-clock nanoseconds with monotonic resolution, in the capture stage's time base. */
const epochOffsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
export function wallClockNs(): bigint {
  return process.hrtime.bigint() + epochOffsetNs;
}

/** Command lines carry tokens too (`curl -H 'Authorization: Bearer …'`): same patterns as bodies. */
function createArgvRedactor(options: RedactOptions): (argv: string[]) => string[] {
  const { redact } = createTextRedactor([...DEFAULT_SECRET_PATTERNS, ...(options.bodyPatterns ?? [])]);
  return (argv) => argv.map((arg) => redact(arg));
}

function otlpOptions(option: PipelineOptions['otlp']): OtlpExportOptions | undefined {
  if (option === false) return undefined;
  if (option) return option;
  return otlpEndpointFromEnvironment() ? {} : undefined;
}

/** capture → decode → redact → correlate → export (OTLP, JSONL). */
export function createPipeline(options: PipelineOptions = {}): Pipeline {
  const log = options.onLog ?? (() => {});
  const jsonl = options.jsonlPath ? new JsonlWriter(options.jsonlPath, log) : undefined;
  const captureContent =
    options.captureContent ??
    getBooleanFromEnv('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT') ??
    false;
  // Bodies only leave through JSONL records and captured content: without either, keep none
  // (the decoder keeps those of LLM calls, to parse them).
  const omitBodies = !options.keepBodies && !jsonl && !captureContent;
  const redact = createRedactor({ ...options.redact, omitBodies });
  const redactArgv = createArgvRedactor(options.redact ?? {});
  const loss: LossStats = { kernelDroppedRecords: 0, kernelDroppedBytes: 0, userDroppedRecords: 0 };
  let internalErrors = 0;
  let captureStats: (() => CaptureStats) | undefined;
  let stopping: Promise<PipelineStats> | undefined;

  const reportError = (what: string, error: unknown): void => {
    internalErrors++;
    log(`${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  };

  const otlpConfig = otlpOptions(options.otlp);
  const otlp = otlpConfig
    ? new OtlpSpanExporter(otlpConfig, sidecarResource(resolveServiceName(options.serviceName)), SCOPE, log)
    : undefined;

  const onSpan = (span: SpanRecord): void => {
    otlp?.enqueue(span);
    jsonl?.write('span', spanToJson(span));
  };
  const correlator = new Correlator({
    onSpan,
    redactArgv,
    captureContent,
  });

  const onRecord = (decoded: DecodedRecord): void => {
    // Redaction comes first: nothing past this line ever sees the unredacted record.
    const record = redact(decoded);
    const placement = correlator.handleRecord(record);
    if (!jsonl) return;
    const { kind, ...fields } = record;
    jsonl.write(kind, { ...placementFields(placement), ...fields });
  };
  const decoder = new TlsStreamDecoder({
    onRecord,
    keepBodies: omitBodies ? 'llm' : 'all',
    onError: (error) => reportError('decoder', error),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });

  const onLoss = (e: LossEvent): void => {
    const grew =
      e.kernelDroppedRecords > loss.kernelDroppedRecords || e.userDroppedRecords > loss.userDroppedRecords;
    loss.kernelDroppedRecords = Math.max(loss.kernelDroppedRecords, e.kernelDroppedRecords);
    loss.kernelDroppedBytes = Math.max(loss.kernelDroppedBytes, e.kernelDroppedBytes);
    loss.userDroppedRecords = Math.max(loss.userDroppedRecords, e.userDroppedRecords);
    if (grew) {
      log(
        `capture lost records: kernel ${loss.kernelDroppedRecords} (${loss.kernelDroppedBytes} bytes), user ${loss.userDroppedRecords} (cumulative)`,
      );
      const { kind, ...fields } = e;
      jsonl?.write(kind, fields);
    }
  };

  const stats = (): PipelineStats => ({
    ...(captureStats ? { capture: captureStats() } : {}),
    loss: { ...loss },
    decode: decoder.stats(),
    correlate: correlator.stats(),
    ...(otlp ? { otlp: otlp.stats() } : {}),
    ...(jsonl ? { jsonl: { ...jsonl.stats(), path: jsonl.path } } : {}),
    internalErrors,
  });
  const writeStats = (final: boolean): void => {
    jsonl?.write('stats', { tsNs: wallClockNs(), final, ...stats() });
  };
  const statsInterval = options.statsIntervalMs ?? 10_000;
  const statsTimer =
    jsonl && statsInterval > 0 ? setInterval(() => writeStats(false), statsInterval) : undefined;
  statsTimer?.unref();

  const onActivity = (event: ActivityEvent): void => {
    const activity = event.kind === 'exec' ? { ...event, argv: redactArgv(event.argv) } : event;
    const placement = correlator.handleActivity(activity);
    if (!jsonl) return;
    const { kind, ...fields } = activity;
    jsonl.write(kind, { ...placementFields(placement), ...fields });
  };

  const handle = (event: CaptureEvent): void => {
    if (stopping) return;
    // The sidecar's own exports must not feed back into its capture (`--all`).
    if (event.kind !== 'loss' && event.pid === process.pid) return;
    try {
      switch (event.kind) {
        case 'tls_data':
          decoder.push(event);
          return;
        case 'tls_close':
          decoder.close(event);
          return;
        case 'tls_handshake':
          decoder.handshake(event);
          // A completed handshake is reported on its connection's first exchange; others on the process.
          if (event.result !== 'done') onActivity(event);
          return;
        case 'loss':
          onLoss(event);
          return;
        default:
          // Flush the exiting process's connections first, so their exchanges join its span.
          if (event.kind === 'exit') decoder.closeProcess(event.pid, event.tsNs);
          onActivity(event);
      }
    } catch (error) {
      reportError(`${event.kind} event`, error);
    }
  };

  const stop = async (): Promise<PipelineStats> => {
    const deadlineMs = options.shutdownTimeoutMs ?? 5000;
    if (statsTimer) clearInterval(statsTimer);
    const now = wallClockNs();
    decoder.flushAll(now);
    correlator.finish(now);
    writeStats(true);
    await Promise.all([otlp?.shutdown(deadlineMs), jsonl?.close()]);
    return stats();
  };

  return {
    handle,
    handleRecord: (record) => {
      if (stopping) return;
      try {
        onRecord(record);
      } catch (error) {
        reportError(`${record.kind} record`, error);
      }
    },
    adopt: (pid) => correlator.adopt(pid, wallClockNs()),
    waitForExit: (pid, timeoutMs) => correlator.waitForExit(pid, timeoutMs),
    attachCapture: (source) => {
      captureStats = source;
    },
    stats,
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}

function placementFields(p: Placement): Placement {
  return { traceId: p.traceId, spanId: p.spanId, parentSpanId: p.parentSpanId, correlation: p.correlation };
}
