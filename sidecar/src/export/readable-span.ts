import type { HrTime, SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SpanRecord } from '../correlate/span-record.js';

export interface InstrumentationScope {
  name: string;
  version?: string;
}

const NS_PER_S = 1_000_000_000n;

export function nsToHrTime(ns: bigint): HrTime {
  return [Number(ns / NS_PER_S), Number(ns % NS_PER_S)];
}

/**
 * Wraps a correlated span as the SDK's ReadableSpan so the stock OTLP exporter can encode it with
 * the ids we computed (the app's trace id, the remote parent span id) rather than SDK-made ones.
 */
export function toReadableSpan(
  span: SpanRecord,
  resource: Resource,
  scope: InstrumentationScope,
): ReadableSpan {
  const { placement } = span;
  const traceState = placement.traceState ? new TraceState(placement.traceState) : undefined;
  const context: SpanContext = {
    traceId: placement.traceId,
    spanId: placement.spanId,
    traceFlags: placement.traceFlags,
    ...(traceState ? { traceState } : {}),
  };
  const parentSpanContext: SpanContext | undefined = placement.parentSpanId
    ? {
        traceId: placement.traceId,
        spanId: placement.parentSpanId,
        traceFlags: placement.traceFlags,
        isRemote: true,
      }
    : undefined;
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => context,
    parentSpanContext,
    startTime: nsToHrTime(span.startNs),
    endTime: nsToHrTime(span.endNs),
    duration: nsToHrTime(span.endNs - span.startNs),
    status: span.status,
    attributes: span.attributes,
    links: [],
    events: span.events.map((e) => ({ name: e.name, time: nsToHrTime(e.tsNs), attributes: e.attributes })),
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: span.droppedEvents,
    droppedLinksCount: 0,
  };
}
