export { JsonlWriter, type JsonlStats } from './jsonl-writer.js';
export { toJsonLine, toJsonValue } from './json-line.js';
export { spanToJson } from './span-json.js';
export { otlpEndpointFromEnvironment, tracesUrlFromEndpoint } from './otlp-config.js';
export { OtlpSpanExporter, type OtlpExportOptions, type OtlpExportStats, type SpanSink } from './otlp-span-exporter.js';
export { type InstrumentationScope, nsToHrTime, toReadableSpan } from './readable-span.js';
export { DEFAULT_SERVICE_NAME, resolveServiceName, sidecarResource } from './resource.js';
