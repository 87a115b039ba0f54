import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ResolvedConfig } from '../config/resolve.js';

/**
 * Endpoint, headers, timeout, compression and TLS files come from OTEL_EXPORTER_OTLP_* (and the
 * per-signal variants), which the exporter reads itself; we only pass what init() was given.
 */
function exporterOptions(config: ResolvedConfig, signalPath: 'v1/traces' | 'v1/metrics') {
  return {
    url: config.endpoint ? `${config.endpoint.replace(/\/+$/, '')}/${signalPath}` : undefined,
    headers: config.headers,
  };
}

/**
 * The batch processor bounds memory (OTEL_BSP_MAX_QUEUE_SIZE, default 2048 spans; newer spans are
 * dropped when full) and the exporter bounds each request (OTEL_EXPORTER_OTLP_TIMEOUT, default
 * 10 s, retries included), so a collector that is down or slow never blocks or grows the app.
 */
export function otlpSpanProcessor(config: ResolvedConfig): SpanProcessor {
  return new BatchSpanProcessor(new OTLPTraceExporter(exporterOptions(config, 'v1/traces')));
}

export function otlpMetricReader(
  config: ResolvedConfig,
  metrics: NonNullable<ResolvedConfig['metrics']>,
): PeriodicExportingMetricReader {
  return new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter(exporterOptions(config, 'v1/metrics')),
    exportIntervalMillis: metrics.exportIntervalMillis,
    exportTimeoutMillis: metrics.exportTimeoutMillis,
  });
}
