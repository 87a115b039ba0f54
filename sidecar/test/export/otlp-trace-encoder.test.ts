import { type AttrValue, type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '@agentsight/testing';
import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../src/correlate/span-record.js';
import { TraceRequestEncoder } from '../../src/export/otlp-trace-encoder.js';
import { sidecarResource } from '../../src/export/resource.js';
import { T0 } from './span-fixtures.js';

const SCOPE = { name: '@agentsight/sidecar', version: '9.9.9-test' };
const resource = sidecarResource('encoder-under-test');

/**
 * What the receiver's protobuf decoder makes of a value we encoded: integers in int64 range travel as
 * int_value (beyond 2^53 they come back as bigint), other numbers as double_value.
 */
function decoded(value: unknown): AttrValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return value >= -(2 ** 63) && value < 2 ** 63 ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map(decoded);
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decoded(v)]));
  }
  return value as AttrValue;
}

function decodedAttributes(attributes: Attributes): Record<string, AttrValue> {
  return decoded(attributes) as Record<string, AttrValue>;
}

const KIND_NAMES = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

/** Every field of a received span against the record it was encoded from. */
function expectSpanMatches(received: ReceivedSpan | undefined, span: SpanRecord): void {
  expect(received, span.name).toBeDefined();
  expect(received).toEqual({
    traceId: span.placement.traceId,
    spanId: span.placement.spanId,
    parentSpanId: span.placement.parentSpanId ?? '',
    traceState: span.placement.traceState ?? '',
    name: span.name,
    kind: span.kind + 1,
    kindName: KIND_NAMES[span.kind],
    startTimeUnixNano: span.startNs,
    endTimeUnixNano: span.endNs,
    attributes: decodedAttributes(span.attributes),
    events: span.events.map((e) => ({
      name: e.name,
      timeUnixNano: e.tsNs,
      attributes: decodedAttributes(e.attributes),
    })),
    links: [],
    status: { code: span.status.code, message: span.status.message ?? '' },
    // W3C flags, "is-remote is known", and remote whenever the parent came from elsewhere.
    flags: (span.placement.traceFlags & 0xff) | 0x100 | (span.placement.parentSpanId ? 0x200 : 0),
    droppedEventsCount: span.droppedEvents,
    resource: decodedAttributes(resource.attributes),
    scope: SCOPE,
  });
}

function record(overrides: Partial<SpanRecord> & { spanId: string }): SpanRecord {
  const { spanId, ...rest } = overrides;
  return {
    placement: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId, traceFlags: 1, correlation: 'none' },
    name: 'GET',
    kind: SpanKind.CLIENT,
    startNs: T0,
    endNs: T0 + 1n,
    attributes: {},
    events: [],
    droppedEvents: 0,
    status: { code: SpanStatusCode.UNSET },
    ...rest,
  };
}

describe('TraceRequestEncoder', () => {
  let rx: OtlpReceiver;
  beforeAll(async () => {
    rx = await startOtlpReceiver();
  });
  afterAll(() => rx.close());

  /** Posts one encoded request to the receiver and returns what it decoded from it. */
  async function roundTrip(spans: SpanRecord[], encoder = new TraceRequestEncoder(resource, SCOPE)) {
    rx.clear();
    const body = encoder.encode(spans);
    const response = await fetch(rx.tracesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(body),
    });
    expect(response.status, rx.errors.join('; ')).toBe(200);
    return new Map(rx.spans.map((s) => [s.spanId, s]));
  }

  it('encodes ids, times, kinds, attributes of each type, events, status, resource and scope', async () => {
    const spans: SpanRecord[] = [
      record({
        spanId: '00f067aa0ba902b7',
        placement: {
          traceId: 'a3ce929d0e0e47364bf92f3577b34da6',
          spanId: '00f067aa0ba902b7',
          parentSpanId: 'b7ad6b7169203331',
          traceFlags: 1,
          traceState: 'vendor=abc,other=x',
          correlation: 'traceparent',
        },
        name: 'chat gpt-4o-mini',
        kind: SpanKind.CLIENT,
        startNs: T0 + 123_456_789n,
        endNs: T0 + 2_000_000_001n,
        attributes: {
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.request.temperature': 0.25,
          'gen_ai.request.max_tokens': 64,
          'gen_ai.request.stream': true,
          'agentsight.http.body_truncated': false,
          'agentsight.syscall.result': -2,
          'process.command_args': ['node', 'app.js', ''],
          'gen_ai.response.finish_reasons': ['stop'],
          numbers: [1, -1, 2.5, 2 ** 40],
          flags: [true, false],
          holes: ['a', null, undefined, 'b'],
          empty: '',
          'empty.list': [],
          zero: 0,
          'max.safe': Number.MAX_SAFE_INTEGER,
          'beyond.safe': 2 ** 60,
          'min.int64': -(2 ** 63),
          'too.big.for.int64': 2 ** 64,
          'not.a.number': Number.NaN,
          infinite: Number.POSITIVE_INFINITY,
          tiny: 5e-324,
        },
        events: [
          { name: 'gen_ai.first_chunk', tsNs: T0 + 250_000_000n, attributes: {} },
          {
            name: 'file.open',
            tsNs: T0 + 300_000_000n,
            attributes: { 'file.path': '/etc/hosts', 'agentsight.syscall.result': 3, 'thread.id': 7 },
          },
        ],
        droppedEvents: 12,
        status: { code: SpanStatusCode.ERROR, message: 'rate_limit_exceeded' },
      }),
      record({
        spanId: '1111111111111111',
        name: 'process curl',
        kind: SpanKind.INTERNAL,
        startNs: 0n,
        endNs: 2n ** 64n - 1n,
        status: { code: SpanStatusCode.OK },
      }),
      record({ spanId: '2222222222222222', name: 'POST', kind: SpanKind.SERVER }),
      record({ spanId: '3333333333333333', name: 'send', kind: SpanKind.PRODUCER }),
      record({ spanId: '4444444444444444', name: 'receive', kind: SpanKind.CONSUMER }),
    ];
    const received = await roundTrip(spans);
    expect(received.size).toBe(spans.length);
    for (const span of spans) expectSpanMatches(received.get(span.placement.spanId), span);
  });

  it('encodes unicode, long and empty strings exactly, in names, keys, values and trace state', async () => {
    const long = 'x'.repeat(200);
    // 140 000 bytes: a three-byte length, in a span that outgrows the two bytes reserved for its own.
    const huge = 'é'.repeat(70_000);
    const spans = [
      record({
        spanId: '5555555555555555',
        placement: {
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '5555555555555555',
          traceFlags: 1,
          traceState: 'k=v',
          correlation: 'none',
        },
        name: 'ümlaut 名前 🚀',
        attributes: {
          ascii: 'plain',
          latin: 'café',
          cjk: '日本語のテキスト',
          emoji: '👩‍💻 ok 🎉',
          'key ключ 🔑': 'value',
          'lone.surrogate': 'a\ud800b',
          'trailing.high.surrogate': 'end\ud83d',
          'mixed.long': `${'ascii '.repeat(10)}→ ${'ü'.repeat(30)} 🚀`,
          long,
          huge,
          empty: '',
          '': 'empty key',
        },
        events: [{ name: 'ëvent ✓', tsNs: T0, attributes: { ключ: 'значение' } }],
        status: { code: SpanStatusCode.ERROR, message: 'fehlgeschlagen: ∅' },
      }),
      record({ spanId: '6666666666666666', name: '' }),
    ];
    const received = await roundTrip(spans);
    const unicode = received.get('5555555555555555');
    expectSpanMatches(
      unicode,
      // What UTF-8 can carry: a lone surrogate arrives as U+FFFD, as Buffer and TextEncoder write it.
      {
        ...spans[0],
        attributes: {
          ...spans[0].attributes,
          'lone.surrogate': 'a\ufffdb',
          'trailing.high.surrogate': 'end\ufffd',
        },
      },
    );
    expect(unicode?.attributes.huge).toHaveLength(70_000);
    expectSpanMatches(received.get('6666666666666666'), spans[1]);
  });

  it('keeps every span of a large batch intact while values repeat, change and come back', async () => {
    const encoder = new TraceRequestEncoder(resource, SCOPE);
    const spans = Array.from({ length: 3000 }, (_, i) => {
      const spanId = (0x1000000000000000n + BigInt(i)).toString(16);
      // Values that stay, values that change every few spans, types that change under one key.
      const attributes: Attributes = {
        'http.request.method': i % 7 === 0 ? 'POST' : 'GET',
        'server.port': 8443,
        'agentsight.connection.id': `4242:${i >> 2}:0x7f3a2c001230`,
        'thread.id': i % 3,
        shifting: i % 5 === 0 ? true : i % 5 === 1 ? 'text' : i % 5 === 2 ? 1.5 : i % 5 === 3 ? [i] : 42,
        'agentsight.source': 'ebpf',
      };
      if (i % 11 === 0) attributes['error.type'] = '500';
      return record({
        spanId,
        placement: {
          traceId: i % 2 ? '4bf92f3577b34da6a3ce929d0e0e4736' : `${spanId}${spanId}`,
          spanId,
          ...(i % 4 ? { parentSpanId: '00f067aa0ba902b7' } : {}),
          traceFlags: 1,
          correlation: 'inferred',
        },
        name: i % 2 ? 'GET' : `chat model-${i}`,
        startNs: T0 + BigInt(i) * 1_000_000n,
        endNs: T0 + BigInt(i) * 1_000_000n + 999n,
        attributes,
        events:
          i % 10 === 0
            ? [
                {
                  name: 'network.connect',
                  tsNs: T0,
                  attributes: { 'network.peer.port': 443, 'thread.id': i },
                },
              ]
            : [],
        droppedEvents: i % 13,
      });
    });
    // Twice through one encoder: its caches carry over from one request to the next.
    for (const batch of [spans.slice(0, 1000), spans]) {
      const received = await roundTrip(batch, encoder);
      expect(received.size).toBe(batch.length);
      for (const span of batch) expectSpanMatches(received.get(span.placement.spanId), span);
    }
  });

  it('encodes an empty batch as a valid request', async () => {
    const received = await roundTrip([]);
    expect(received.size).toBe(0);
  });
});
