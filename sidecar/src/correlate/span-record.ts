import type { Attributes, SpanKind, SpanStatus } from '@opentelemetry/api';

/** How a span found its place in a trace (written as `agentsight.correlation`). */
export type Correlation =
  /** The HTTP request carried a `traceparent` header. */
  | 'traceparent'
  /** The HTTP request carried only `x-trace-id`. */
  | 'x-trace-id'
  /** The process was started with `TRACEPARENT` in its environment. */
  | 'env'
  /** Placed under the span of the process (or ancestor process) that did it. */
  | 'inferred'
  /** Nothing linked it to a known trace: it roots a trace of its own. */
  | 'none';

/** Where a span sits: its own ids, its parent and how that was decided. */
export interface SpanPlacement {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** W3C trace flags (bit 0 = sampled). */
  traceFlags: number;
  /** W3C tracestate carried from the app, when it sent one. */
  traceState?: string;
  correlation: Correlation;
}

export interface SpanEventRecord {
  name: string;
  tsNs: bigint;
  attributes: Attributes;
}

/** A finished span, exporter-neutral: the OTLP exporter encodes it directly, the JSONL writer flattens it. */
export interface SpanRecord {
  placement: SpanPlacement;
  name: string;
  kind: SpanKind;
  startNs: bigint;
  endNs: bigint;
  attributes: Attributes;
  events: SpanEventRecord[];
  /** Events not kept because the per-span limit was reached. */
  droppedEvents: number;
  status: SpanStatus;
}
