import { TraceFlags } from '@opentelemetry/api';
import { callWithTimeout, type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { IOtlpExportDelegate } from '@opentelemetry/otlp-exporter-base';
import type { Resource } from '@opentelemetry/resources';
import type { SpanRecord } from '../correlate/span-record.js';
import { tracesUrlFromEndpoint } from './otlp-config.js';
import { type InstrumentationScope, TraceRequestEncoder } from './otlp-trace-encoder.js';
import type { TracePartialSuccess } from './otlp-trace-response.js';
import { createTraceExportDelegate } from './otlp-trace-transport.js';

export interface OtlpExportOptions {
  /** Base endpoint (`/v1/traces` is appended) or full traces URL; default: the OTEL_EXPORTER_OTLP_* env. */
  endpoint?: string;
  /** Extra request headers (merged with OTEL_EXPORTER_OTLP_HEADERS). */
  headers?: Record<string, string>;
  /** Spans waiting beyond this are dropped and counted. Default 8192. */
  maxQueueSpans?: number;
  /** Spans per export request. Default 512. */
  maxBatchSpans?: number;
  /** How often a partial batch is sent. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Per-request limit, including the exporter's retries. Default 10000 ms. */
  timeoutMs?: number;
}

export interface OtlpExportStats {
  exportedSpans: number;
  /** Dropped because the queue was full (collector slow or down). */
  droppedSpans: number;
  /** In batches the collector rejected or never answered. */
  failedSpans: number;
  /** In accepted batches, but reported rejected by the collector (OTLP partial success). */
  rejectedSpans: number;
  /** Not sampled by the app's trace flags, so not sent (like the SDK would). */
  unsampledSpans: number;
  queuedSpans: number;
}

export interface SpanSink {
  enqueue(span: SpanRecord): void;
}

/**
 * Batches spans to an OTLP/HTTP protobuf endpoint with a bounded queue and one request in flight,
 * so a dead or slow collector costs at most `maxQueueSpans` of memory and never blocks the pipeline.
 * Spans stay SpanRecords until a batch is encoded (see TraceRequestEncoder).
 */
export class OtlpSpanExporter implements SpanSink {
  private readonly delegate: IOtlpExportDelegate<SpanRecord[]>;
  private readonly queue: SpanRecord[] = [];
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly timeoutMs: number;
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> | undefined;
  private failing = false;
  private lastPartialSuccessMessage: string | undefined;
  private readonly counters = {
    exportedSpans: 0,
    droppedSpans: 0,
    failedSpans: 0,
    rejectedSpans: 0,
    unsampledSpans: 0,
  };

  constructor(
    options: OtlpExportOptions,
    resource: Resource,
    scope: InstrumentationScope,
    private readonly log: (line: string) => void,
  ) {
    this.maxQueue = options.maxQueueSpans ?? 8192;
    this.maxBatch = options.maxBatchSpans ?? 512;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.delegate = createTraceExportDelegate(
      {
        ...(options.endpoint ? { url: tracesUrlFromEndpoint(options.endpoint) } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        timeoutMillis: this.timeoutMs,
      },
      new TraceRequestEncoder(resource, scope),
      (partial) => this.onPartialSuccess(partial),
    );
    this.timer = setInterval(() => this.pump(), options.flushIntervalMs ?? 1000);
    this.timer.unref();
  }

  enqueue(span: SpanRecord): void {
    if ((span.placement.traceFlags & TraceFlags.SAMPLED) === 0) {
      this.counters.unsampledSpans++;
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.counters.droppedSpans++;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.maxBatch) this.pump();
  }

  stats(): OtlpExportStats {
    return { ...this.counters, queuedSpans: this.queue.length };
  }

  /**
   * Sends what is queued, waiting at most `deadlineMs`; what is still queued then is counted as
   * dropped. The transport is shut down either way.
   */
  async shutdown(deadlineMs: number): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + deadlineMs;
    while ((this.queue.length > 0 || this.inFlight) && Date.now() < deadline) {
      this.pump();
      await callWithTimeout(this.inFlight ?? Promise.resolve(), deadline - Date.now()).catch(() => undefined);
    }
    this.counters.droppedSpans += this.queue.length;
    this.queue.length = 0;
    await callWithTimeout(this.delegate.shutdown(), Math.max(1, deadline - Date.now())).catch(
      () => undefined,
    );
  }

  private pump(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight = this.send(batch).finally(() => {
      this.inFlight = undefined;
      if (this.queue.length >= this.maxBatch) this.pump();
    });
  }

  private async send(batch: SpanRecord[]): Promise<void> {
    // The transport bounds its own retries by timeoutMillis; the guard covers a callback that never comes.
    // An encoding error is thrown synchronously by export(): the promise turns it into a failed batch.
    const result = await callWithTimeout(
      new Promise<ExportResult>((resolve) => this.delegate.export(batch, resolve)),
      this.timeoutMs + 1000,
    ).catch((error: Error): ExportResult => ({ code: ExportResultCode.FAILED, error }));
    if (result.code === ExportResultCode.SUCCESS) {
      this.counters.exportedSpans += batch.length;
      if (this.failing) this.log('OTLP export recovered');
      this.failing = false;
      return;
    }
    this.counters.failedSpans += batch.length;
    if (!this.failing)
      this.log(`OTLP export failed (${batch.length} spans): ${result.error?.message ?? 'unknown error'}`);
    this.failing = true;
  }

  /** Counts what the collector refused; logs each new reason once, not once per batch. */
  private onPartialSuccess({ rejectedSpans, errorMessage }: TracePartialSuccess): void {
    this.counters.rejectedSpans += rejectedSpans;
    if (errorMessage === this.lastPartialSuccessMessage) return;
    this.lastPartialSuccessMessage = errorMessage;
    this.log(`OTLP collector rejected ${rejectedSpans} spans of a batch: ${errorMessage || '(no message)'}`);
  }
}
