import { OTLPMetricExporterBase } from '@opentelemetry/exporter-metrics-otlp-http';
import { createOtlpNetworkExportDelegate, OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { createOtlpHttpExporterMetrics } from '@opentelemetry/otlp-exporter-base/node-http';
import {
  MetricsExporterMetricsHelper,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExitFriendlyHttpTransport, type OtlpHttpConfig } from './transport.js';

export const PROTOBUF_HEADERS = { 'Content-Type': 'application/x-protobuf' };

/**
 * OTLP/HTTP protobuf exporters assembled from the stock exporter's parts (serializer, bounded
 * concurrency, timeout) around our transport; see ExitFriendlyHttpTransport for why.
 */
export function protobufSpanExporter(config: OtlpHttpConfig, exiting: AbortSignal): SpanExporter {
  const exporterMetrics = createOtlpHttpExporterMetrics(
    'otlp_http_span_exporter',
    TraceExporterMetricsHelper,
    config.url,
    undefined,
  );
  return new OTLPExporterBase<ReadableSpan[]>(
    createOtlpNetworkExportDelegate(
      config,
      ProtobufTraceSerializer,
      exporterMetrics,
      new ExitFriendlyHttpTransport(config, exiting),
    ),
  );
}

/** Temporality and aggregation follow OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE, as in the stock exporter. */
export function protobufMetricExporter(config: OtlpHttpConfig, exiting: AbortSignal): PushMetricExporter {
  const exporterMetrics = createOtlpHttpExporterMetrics(
    'otlp_http_metric_exporter',
    MetricsExporterMetricsHelper,
    config.url,
    undefined,
  );
  return new OTLPMetricExporterBase(
    createOtlpNetworkExportDelegate(
      config,
      ProtobufMetricsSerializer,
      exporterMetrics,
      new ExitFriendlyHttpTransport(config, exiting),
    ),
  );
}
