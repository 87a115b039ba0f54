import type { IOtlpExportDelegate } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import type { SpanRecord } from '../correlate/span-record.js';
import type { TraceRequestEncoder } from './otlp-trace-encoder.js';
import { decodeTracePartialSuccess, type TracePartialSuccess } from './otlp-trace-response.js';

export interface TraceTransportOptions {
  /** Full traces URL; default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT. */
  url?: string;
  /** Merged with OTEL_EXPORTER_OTLP_(TRACES_)HEADERS. */
  headers?: Record<string, string>;
  /** Per export, retries included. */
  timeoutMillis: number;
}

/**
 * The stock OTLP/HTTP exporter's transport (retries with backoff, timeout, headers, compression and
 * the rest of the OTEL_EXPORTER_OTLP_* environment) around our own protobuf encoding of SpanRecords.
 */
export function createTraceExportDelegate(
  options: TraceTransportOptions,
  encoder: TraceRequestEncoder,
  onPartialSuccess: (partial: TracePartialSuccess) => void,
): IOtlpExportDelegate<SpanRecord[]> {
  const serializer = {
    serializeRequest: (spans: SpanRecord[]): Uint8Array => encoder.encode(spans),
    deserializeResponse: (response: Uint8Array) => {
      const partialSuccess = decodeTracePartialSuccess(response);
      if (partialSuccess) onPartialSuccess(partialSuccess);
      return partialSuccess ? { partialSuccess } : {};
    },
  };
  return createOtlpHttpExportDelegate(
    convertLegacyHttpOptions(options, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
    serializer,
    'otlp_http_span_exporter',
    { name: 'span', countItems: (spans: SpanRecord[]) => spans.length },
    undefined,
  );
}
