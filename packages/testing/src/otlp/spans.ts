import type { ReceivedSpan, SpanKindName } from '../types.js';
import {
  attributesOf,
  flattenScoped,
  hexId,
  InvalidOtlpError,
  int,
  int64,
  messageOf,
  messagesOf,
  type OtlpMessage,
  text,
} from './values.js';

const KIND_NAMES: readonly SpanKindName[] = [
  'UNSPECIFIED',
  'INTERNAL',
  'SERVER',
  'CLIENT',
  'PRODUCER',
  'CONSUMER',
];

/** Flattens an ExportTraceServiceRequest (decoded protobuf or parsed JSON) into one entry per span. */
export function spansFromRequest(request: OtlpMessage): ReceivedSpan[] {
  return flattenScoped(
    request,
    { resource: 'resourceSpans', scope: 'scopeSpans', items: 'spans' },
    (span, at, origin) => ({ ...toSpan(span, at), ...origin }),
  );
}

function toSpan(span: OtlpMessage, at: string): Omit<ReceivedSpan, 'resource' | 'scope'> {
  const kind = int(span.kind, `${at}.kind`);
  const kindName = KIND_NAMES[kind];
  if (kindName === undefined) throw new InvalidOtlpError(`${at}.kind: unknown span kind ${kind}`);
  const status = messageOf(span.status, `${at}.status`);
  const statusCode = int(status.code, `${at}.status.code`);
  if (statusCode !== 0 && statusCode !== 1 && statusCode !== 2) {
    throw new InvalidOtlpError(`${at}.status.code: unknown status code ${statusCode}`);
  }
  return {
    traceId: hexId(span.traceId, `${at}.traceId`),
    spanId: hexId(span.spanId, `${at}.spanId`),
    parentSpanId: hexId(span.parentSpanId, `${at}.parentSpanId`),
    traceState: text(span.traceState, `${at}.traceState`),
    name: text(span.name, `${at}.name`),
    kind,
    kindName,
    startTimeUnixNano: int64(span.startTimeUnixNano, `${at}.startTimeUnixNano`),
    endTimeUnixNano: int64(span.endTimeUnixNano, `${at}.endTimeUnixNano`),
    attributes: attributesOf(span.attributes, `${at}.attributes`),
    events: messagesOf(span.events, `${at}.events`).map((event, i) => ({
      name: text(event.name, `${at}.events[${i}].name`),
      timeUnixNano: int64(event.timeUnixNano, `${at}.events[${i}].timeUnixNano`),
      attributes: attributesOf(event.attributes, `${at}.events[${i}].attributes`),
    })),
    links: messagesOf(span.links, `${at}.links`).map((link, i) => ({
      traceId: hexId(link.traceId, `${at}.links[${i}].traceId`),
      spanId: hexId(link.spanId, `${at}.links[${i}].spanId`),
      attributes: attributesOf(link.attributes, `${at}.links[${i}].attributes`),
    })),
    status: { code: statusCode, message: text(status.message, `${at}.status.message`) },
    flags: int(span.flags, `${at}.flags`),
    droppedEventsCount: int(span.droppedEventsCount, `${at}.droppedEventsCount`),
  };
}
