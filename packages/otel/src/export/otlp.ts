import { convertLegacyHttpOptions } from '@opentelemetry/otlp-exporter-base/node-http';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ResolvedConfig } from '../config/resolve.js';
import { PROTOBUF_HEADERS, protobufMetricExporter, protobufSpanExporter } from './protobuf-exporters.js';
import type { OtlpHttpConfig } from './transport.js';

/**
 * Endpoint, headers, timeout, compression and TLS files come from OTEL_EXPORTER_OTLP_* and the
 * per-signal variants, read by the OTel exporter's own configuration code; options passed to
 * init() win over them.
 */
function httpConfig(config: ResolvedConfig, signal: 'TRACES' | 'METRICS'): OtlpHttpConfig {
  const path = signal === 'TRACES' ? 'v1/traces' : 'v1/metrics';
  return convertLegacyHttpOptions(
    {
      url: config.endpoint ? `${config.endpoint.replace(/\/+$/, '')}/${path}` : undefined,
      headers: config.headers,
    },
    signal,
    path,
    PROTOBUF_HEADERS,
  );
}

/**
 * The batch processor bounds memory (OTEL_BSP_MAX_QUEUE_SIZE, default 2048 spans; newer spans are
 * dropped when full) and the exporter bounds each export (OTEL_EXPORTER_OTLP_TIMEOUT, default
 * 10 s, retries included), so a collector that is down or slow never blocks or grows the app.
 */
export function otlpSpanProcessor(config: ResolvedConfig, exiting: AbortSignal): SpanProcessor {
  return new BatchSpanProcessor(protobufSpanExporter(httpConfig(config, 'TRACES'), exiting));
}

export function otlpMetricReader(
  config: ResolvedConfig,
  metrics: NonNullable<ResolvedConfig['metrics']>,
  exiting: AbortSignal,
): PeriodicExportingMetricReader {
  return new PeriodicExportingMetricReader({
    exporter: protobufMetricExporter(httpConfig(config, 'METRICS'), exiting),
    exportIntervalMillis: metrics.exportIntervalMillis,
    exportTimeoutMillis: metrics.exportTimeoutMillis,
  });
}
