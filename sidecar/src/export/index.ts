export { toJsonLine, toJsonValue } from './json-line.js';
export { type JsonlStats, JsonlWriter } from './jsonl-writer.js';
export { otlpEndpointFromEnvironment, tracesUrlFromEndpoint } from './otlp-config.js';
export {
  type OtlpExportOptions,
  type OtlpExportStats,
  OtlpSpanExporter,
  type SpanSink,
} from './otlp-span-exporter.js';
export type { InstrumentationScope } from './otlp-trace-encoder.js';
export { DEFAULT_SERVICE_NAME, resolveServiceName, sidecarResource } from './resource.js';
export { spanToJson } from './span-json.js';
