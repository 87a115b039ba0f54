import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { SpanRecord } from '../correlate/span-record.js';

const KIND_NAMES: Record<SpanKind, string> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const STATUS_NAMES: Record<SpanStatusCode, string> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
};

/** The JSONL `span` record: the same span the OTLP exporter sends, flattened. */
export function spanToJson(span: SpanRecord): object {
  const { placement } = span;
  return {
    traceId: placement.traceId,
    spanId: placement.spanId,
    parentSpanId: placement.parentSpanId,
    traceFlags: placement.traceFlags,
    correlation: placement.correlation,
    name: span.name,
    kind: KIND_NAMES[span.kind],
    startNs: span.startNs,
    endNs: span.endNs,
    attributes: span.attributes,
    events: span.events,
    droppedEvents: span.droppedEvents,
    status: { code: STATUS_NAMES[span.status.code], message: span.status.message },
  };
}
