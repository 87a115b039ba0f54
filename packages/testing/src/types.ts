import type { IncomingHttpHeaders } from 'node:http';

/**
 * An OTLP AnyValue as plain JS. int64 becomes a number when it is a safe integer, a bigint otherwise;
 * bytes stay a Uint8Array; an AnyValue with no value set (valid in OTLP) becomes null.
 */
export type AttrValue =
  | string
  | number
  | boolean
  | bigint
  | Uint8Array
  | null
  | AttrValue[]
  | { [key: string]: AttrValue };

export type Attributes = Record<string, AttrValue>;

export type SpanKindName = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';

export interface InstrumentationScope {
  name: string;
  version: string;
}

export interface ReceivedSpan {
  /** Lowercase hex, 32 chars. */
  traceId: string;
  /** Lowercase hex, 16 chars. */
  spanId: string;
  /** Lowercase hex; '' for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  kindName: SpanKindName;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  events: ReceivedSpanEvent[];
  links: ReceivedSpanLink[];
  /** 0 = UNSET, 1 = OK, 2 = ERROR. */
  status: { code: 0 | 1 | 2; message: string };
  /** Span.flags: W3C trace flags in the low byte, 0x100/0x200 for "parent is remote"; 0 when unset. */
  flags: number;
  droppedEventsCount: number;
  resource: Attributes;
  scope: InstrumentationScope;
}

export interface ReceivedSpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

export interface ReceivedSpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export type MetricType = 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram' | 'summary';

export interface ExponentialBuckets {
  offset: number;
  bucketCounts: number[];
}

/** One data point; which optional fields are set depends on the metric's type. */
export interface ReceivedMetricPoint {
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  /** sum, gauge: the value (as_int or as_double). */
  value?: number;
  /** histogram, exponentialHistogram, summary. */
  count?: number;
  sum?: number;
  /** histogram, exponentialHistogram. */
  min?: number;
  max?: number;
  /** histogram. */
  bucketCounts?: number[];
  explicitBounds?: number[];
  /** exponentialHistogram. */
  scale?: number;
  zeroCount?: number;
  positive?: ExponentialBuckets;
  negative?: ExponentialBuckets;
  /** summary. */
  quantiles?: { quantile: number; value: number }[];
}

export interface ReceivedMetric {
  name: string;
  description: string;
  unit: string;
  resource: Attributes;
  scope: InstrumentationScope;
  type: MetricType;
  points: ReceivedMetricPoint[];
  /** sum only. */
  isMonotonic?: boolean;
  /** sum, histogram, exponentialHistogram: 1 = DELTA, 2 = CUMULATIVE. */
  temporality?: number;
}

/** Every HTTP request the receiver saw, including rejected and failed ones. */
export interface ReceivedRequest {
  method: string;
  /** Path without query string, e.g. '/v1/traces'. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as sent (still compressed when content-encoding was set). */
  bytes: Buffer;
  /** Status the receiver answered with. */
  status: number;
}
