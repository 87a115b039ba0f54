export { type OtlpReceiver, type OtlpReceiverOptions, startOtlpReceiver } from './receiver.js';
export { type SpanTreeOptions, spanTree } from './span-tree.js';
export type {
  Attributes,
  AttrValue,
  ExponentialBuckets,
  InstrumentationScope,
  MetricType,
  ReceivedMetric,
  ReceivedMetricPoint,
  ReceivedRequest,
  ReceivedSpan,
  ReceivedSpanEvent,
  ReceivedSpanLink,
  SpanKindName,
} from './types.js';
