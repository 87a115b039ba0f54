import type { FieldSpec, MessageSchema, ScalarType } from '../protobuf/schema-decoder.js';

/*
 * OTLP message layouts from opentelemetry-proto (common/v1, resource/v1, trace/v1, metrics/v1 and the
 * collector *_service.proto files). Field names are the lowerCamelCase names OTLP/JSON uses, so decoded
 * protobuf and parsed JSON share one shape and one normalizer. Exemplars, entity refs and metric metadata
 * are not declared and therefore skipped.
 */

const scalar = (name: string, type: ScalarType): FieldSpec => ({ name, scalar: type });
const repeatedScalar = (name: string, type: ScalarType): FieldSpec => ({
  name,
  scalar: type,
  repeated: true,
});
const message = (name: string, schema: () => MessageSchema): FieldSpec => ({ name, message: schema });
const repeated = (name: string, schema: () => MessageSchema): FieldSpec => ({
  name,
  message: schema,
  repeated: true,
});

// common/v1/common.proto
const AnyValue: MessageSchema = {
  1: scalar('stringValue', 'string'),
  2: scalar('boolValue', 'bool'),
  3: scalar('intValue', 'int64'),
  4: scalar('doubleValue', 'double'),
  5: message('arrayValue', () => ArrayValue),
  6: message('kvlistValue', () => KeyValueList),
  7: scalar('bytesValue', 'bytes'),
};
const ArrayValue: MessageSchema = { 1: repeated('values', () => AnyValue) };
const KeyValue: MessageSchema = { 1: scalar('key', 'string'), 2: message('value', () => AnyValue) };
const KeyValueList: MessageSchema = { 1: repeated('values', () => KeyValue) };
const attributes = (): MessageSchema => KeyValue;

const InstrumentationScope: MessageSchema = {
  1: scalar('name', 'string'),
  2: scalar('version', 'string'),
  3: repeated('attributes', attributes),
  4: scalar('droppedAttributesCount', 'uint32'),
};

// resource/v1/resource.proto
const Resource: MessageSchema = {
  1: repeated('attributes', attributes),
  2: scalar('droppedAttributesCount', 'uint32'),
};

// trace/v1/trace.proto
const Status: MessageSchema = { 2: scalar('message', 'string'), 3: scalar('code', 'enum') };

const SpanEvent: MessageSchema = {
  1: scalar('timeUnixNano', 'fixed64'),
  2: scalar('name', 'string'),
  3: repeated('attributes', attributes),
  4: scalar('droppedAttributesCount', 'uint32'),
};

const SpanLink: MessageSchema = {
  1: scalar('traceId', 'bytes'),
  2: scalar('spanId', 'bytes'),
  3: scalar('traceState', 'string'),
  4: repeated('attributes', attributes),
  5: scalar('droppedAttributesCount', 'uint32'),
  6: scalar('flags', 'fixed32'),
};

const Span: MessageSchema = {
  1: scalar('traceId', 'bytes'),
  2: scalar('spanId', 'bytes'),
  3: scalar('traceState', 'string'),
  4: scalar('parentSpanId', 'bytes'),
  5: scalar('name', 'string'),
  6: scalar('kind', 'enum'),
  7: scalar('startTimeUnixNano', 'fixed64'),
  8: scalar('endTimeUnixNano', 'fixed64'),
  9: repeated('attributes', attributes),
  10: scalar('droppedAttributesCount', 'uint32'),
  11: repeated('events', () => SpanEvent),
  12: scalar('droppedEventsCount', 'uint32'),
  13: repeated('links', () => SpanLink),
  14: scalar('droppedLinksCount', 'uint32'),
  15: message('status', () => Status),
  16: scalar('flags', 'fixed32'),
};

const ScopeSpans: MessageSchema = {
  1: message('scope', () => InstrumentationScope),
  2: repeated('spans', () => Span),
  3: scalar('schemaUrl', 'string'),
};

const ResourceSpans: MessageSchema = {
  1: message('resource', () => Resource),
  2: repeated('scopeSpans', () => ScopeSpans),
  3: scalar('schemaUrl', 'string'),
};

// collector/trace/v1/trace_service.proto
export const ExportTraceServiceRequest: MessageSchema = { 1: repeated('resourceSpans', () => ResourceSpans) };

// metrics/v1/metrics.proto — the three timestamp/attribute fields every data point shares.
const pointTimes = {
  2: scalar('startTimeUnixNano', 'fixed64'),
  3: scalar('timeUnixNano', 'fixed64'),
};

const NumberDataPoint: MessageSchema = {
  ...pointTimes,
  4: scalar('asDouble', 'double'),
  6: scalar('asInt', 'sfixed64'),
  7: repeated('attributes', attributes),
  8: scalar('flags', 'uint32'),
};

const HistogramDataPoint: MessageSchema = {
  ...pointTimes,
  4: scalar('count', 'fixed64'),
  5: scalar('sum', 'double'),
  6: repeatedScalar('bucketCounts', 'fixed64'),
  7: repeatedScalar('explicitBounds', 'double'),
  9: repeated('attributes', attributes),
  10: scalar('flags', 'uint32'),
  11: scalar('min', 'double'),
  12: scalar('max', 'double'),
};

const ExponentialBuckets: MessageSchema = {
  1: scalar('offset', 'sint32'),
  2: repeatedScalar('bucketCounts', 'uint64'),
};

const ExponentialHistogramDataPoint: MessageSchema = {
  ...pointTimes,
  1: repeated('attributes', attributes),
  4: scalar('count', 'fixed64'),
  5: scalar('sum', 'double'),
  6: scalar('scale', 'sint32'),
  7: scalar('zeroCount', 'fixed64'),
  8: message('positive', () => ExponentialBuckets),
  9: message('negative', () => ExponentialBuckets),
  10: scalar('flags', 'uint32'),
  12: scalar('min', 'double'),
  13: scalar('max', 'double'),
  14: scalar('zeroThreshold', 'double'),
};

const ValueAtQuantile: MessageSchema = { 1: scalar('quantile', 'double'), 2: scalar('value', 'double') };

const SummaryDataPoint: MessageSchema = {
  ...pointTimes,
  4: scalar('count', 'fixed64'),
  5: scalar('sum', 'double'),
  6: repeated('quantileValues', () => ValueAtQuantile),
  7: repeated('attributes', attributes),
  8: scalar('flags', 'uint32'),
};

const temporality = scalar('aggregationTemporality', 'enum');

const Gauge: MessageSchema = { 1: repeated('dataPoints', () => NumberDataPoint) };
const Sum: MessageSchema = {
  1: repeated('dataPoints', () => NumberDataPoint),
  2: temporality,
  3: scalar('isMonotonic', 'bool'),
};
const Histogram: MessageSchema = { 1: repeated('dataPoints', () => HistogramDataPoint), 2: temporality };
const ExponentialHistogram: MessageSchema = {
  1: repeated('dataPoints', () => ExponentialHistogramDataPoint),
  2: temporality,
};
const Summary: MessageSchema = { 1: repeated('dataPoints', () => SummaryDataPoint) };

const Metric: MessageSchema = {
  1: scalar('name', 'string'),
  2: scalar('description', 'string'),
  3: scalar('unit', 'string'),
  5: message('gauge', () => Gauge),
  7: message('sum', () => Sum),
  9: message('histogram', () => Histogram),
  10: message('exponentialHistogram', () => ExponentialHistogram),
  11: message('summary', () => Summary),
};

const ScopeMetrics: MessageSchema = {
  1: message('scope', () => InstrumentationScope),
  2: repeated('metrics', () => Metric),
  3: scalar('schemaUrl', 'string'),
};

const ResourceMetrics: MessageSchema = {
  1: message('resource', () => Resource),
  2: repeated('scopeMetrics', () => ScopeMetrics),
  3: scalar('schemaUrl', 'string'),
};

// collector/metrics/v1/metrics_service.proto
export const ExportMetricsServiceRequest: MessageSchema = {
  1: repeated('resourceMetrics', () => ResourceMetrics),
};
