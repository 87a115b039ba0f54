import {
  context,
  type Attributes as OtelAttributes,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
  ValueType,
} from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, type ReceivedSpan, spanTree, startOtlpReceiver } from '../src/index.js';

const resource = resourceFromAttributes({
  'service.name': 'receiver-test',
  'deployment.environment': 'test',
});
const SEC = 1_700_000_000;
const LINKED = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
const gzip = 'gzip' as NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>['compression'];

/** Runs `build` against a real SDK tracer and returns the finished spans, ready to hand to an exporter. */
function recordSpans(build: (tracer: Tracer) => void): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] });
  build(provider.getTracer('test-scope', '1.2.3'));
  return memory.getFinishedSpans();
}

function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** An agent-run span with a child LLM call: every attribute type, an event, a link and an error status. */
function agentTrace(tracer: Tracer): void {
  const root = tracer.startSpan('agent.run', {
    kind: SpanKind.SERVER,
    startTime: [SEC, 100],
    attributes: {
      'str.plain': 'hello',
      'str.unicode': 'héllo ✓ 日本',
      'str.empty': '',
      'int.positive': 42,
      'int.negative': -7,
      'int.huge': 2 ** 60,
      'double.value': 3.25,
      'bool.true': true,
      'bool.false': false,
      'array.strings': ['a', 'b'],
      'array.numbers': [1, 2.5, -3],
      'array.bools': [true, false],
    },
  });
  root.addEvent('checkpoint', { step: 1, label: 'planned' }, [SEC, 200_000_000]);
  const child = tracer.startSpan(
    'llm.call',
    {
      kind: SpanKind.CLIENT,
      startTime: [SEC, 250_000_000],
      attributes: { 'gen_ai.request.model': 'gpt-4o' },
      links: [{ context: LINKED, attributes: { 'link.reason': 'retry' } }],
    },
    trace.setSpan(context.active(), root),
  );
  child.end([SEC, 500_000_000]);
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  root.end([SEC + 1, 500_000_000]);
}

let rx: OtlpReceiver;
beforeEach(async () => {
  rx = await startOtlpReceiver();
});
afterEach(async () => {
  await rx.close();
});

describe('traces over OTLP/HTTP protobuf', () => {
  it('decodes every span field the real exporter sends', async () => {
    const sent = recordSpans(agentTrace);
    const exporter = new OTLPTraceExporter({ url: rx.tracesUrl, headers: { 'x-api-key': 'test-key' } });
    const result = await exportSpans(exporter, sent);
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);

    const [request] = rx.requests;
    expect(rx.requests).toHaveLength(1);
    expect(request).toMatchObject({ method: 'POST', path: '/v1/traces', status: 200 });
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.headers['x-api-key']).toBe('test-key');
    expect(rx.errors).toEqual([]);

    const root = byName(rx.spans, 'agent.run');
    const child = byName(rx.spans, 'llm.call');
    const sentRoot = sent.find((s) => s.name === 'agent.run')!;
    expect(root).toEqual({
      traceId: sentRoot.spanContext().traceId,
      spanId: sentRoot.spanContext().spanId,
      parentSpanId: '',
      traceState: '',
      name: 'agent.run',
      kind: 2,
      kindName: 'SERVER',
      startTimeUnixNano: 1_700_000_000_000_000_100n,
      endTimeUnixNano: 1_700_000_001_500_000_000n,
      attributes: {
        'str.plain': 'hello',
        'str.unicode': 'héllo ✓ 日本',
        'str.empty': '',
        'int.positive': 42,
        'int.negative': -7,
        'int.huge': 1_152_921_504_606_846_976n,
        'double.value': 3.25,
        'bool.true': true,
        'bool.false': false,
        'array.strings': ['a', 'b'],
        'array.numbers': [1, 2.5, -3],
        'array.bools': [true, false],
      },
      events: [
        {
          name: 'checkpoint',
          timeUnixNano: 1_700_000_000_200_000_000n,
          attributes: { step: 1, label: 'planned' },
        },
      ],
      links: [],
      status: { code: 2, message: 'boom' },
      // Sampled, and "parent is remote" known to be false: a root span.
      flags: 0x101,
      droppedEventsCount: 0,
      resource: expect.objectContaining({
        'service.name': 'receiver-test',
        'deployment.environment': 'test',
      }),
      scope: { name: 'test-scope', version: '1.2.3' },
    });
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root.spanId).toMatch(/^[0-9a-f]{16}$/);

    expect(child).toMatchObject({
      traceId: root.traceId,
      parentSpanId: root.spanId,
      kindName: 'CLIENT',
      kind: 3,
      startTimeUnixNano: 1_700_000_000_250_000_000n,
      endTimeUnixNano: 1_700_000_000_500_000_000n,
      attributes: { 'gen_ai.request.model': 'gpt-4o' },
      status: { code: 0, message: '' },
      events: [],
      links: [{ traceId: LINKED.traceId, spanId: LINKED.spanId, attributes: { 'link.reason': 'retry' } }],
    });
  });

  it('maps every span kind to its name', async () => {
    const kinds = [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
    const sent = recordSpans((tracer) => {
      for (const kind of kinds) tracer.startSpan(`kind.${SpanKind[kind]}`, { kind }).end();
    });
    expect((await exportSpans(new OTLPTraceExporter({ url: rx.tracesUrl }), sent)).code).toBe(
      ExportResultCode.SUCCESS,
    );
    expect(rx.spans.map((s) => [s.name, s.kind, s.kindName])).toEqual([
      ['kind.INTERNAL', 1, 'INTERNAL'],
      ['kind.SERVER', 2, 'SERVER'],
      ['kind.CLIENT', 3, 'CLIENT'],
      ['kind.PRODUCER', 4, 'PRODUCER'],
      ['kind.CONSUMER', 5, 'CONSUMER'],
    ]);
  });

  it('decodes bytes and key-value-list attribute values', async () => {
    const [span] = recordSpans((tracer) => tracer.startSpan('structured').end());
    // The OTel API drops these value types, but OTLP carries them (the sidecar exporter emits them), and the
    // exporter serializes whatever a ReadableSpan holds.
    Object.assign(span.attributes, {
      payload: new Uint8Array([0, 1, 254, 255]),
      request: { model: 'gpt-4o', tokens: 12, nested: { ok: true, tags: ['x'] } },
    } as unknown as OtelAttributes);
    expect((await exportSpans(new OTLPTraceExporter({ url: rx.tracesUrl }), [span])).code).toBe(
      ExportResultCode.SUCCESS,
    );
    expect(rx.spans[0].attributes).toEqual({
      payload: new Uint8Array([0, 1, 254, 255]),
      request: { model: 'gpt-4o', tokens: 12, nested: { ok: true, tags: ['x'] } },
    });
  });

  it('accepts gzip-compressed exports', async () => {
    const sent = recordSpans(agentTrace);
    const exporter = new OTLPTraceExporter({ url: rx.tracesUrl, compression: gzip });
    expect((await exportSpans(exporter, sent)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();

    const [request] = rx.requests;
    expect(request.headers['content-encoding']).toBe('gzip');
    expect([...request.bytes.subarray(0, 2)]).toEqual([0x1f, 0x8b]); // gzip magic: stored as sent
    expect(rx.spans.map((s) => s.name).sort()).toEqual(['agent.run', 'llm.call']);
    expect(byName(rx.spans, 'agent.run').attributes['int.negative']).toBe(-7);
  });

  it('simulates a failing collector and recovers', async () => {
    const sent = recordSpans(agentTrace);
    const exporter = new OTLPTraceExporter({ url: rx.tracesUrl });

    rx.setFailure(400);
    expect((await exportSpans(exporter, sent)).code).toBe(ExportResultCode.FAILED);
    expect(rx.requests.map((r) => r.status)).toEqual([400]);
    expect(rx.spans).toEqual([]);

    rx.setFailure(undefined);
    expect((await exportSpans(exporter, sent)).code).toBe(ExportResultCode.SUCCESS);
    expect(rx.requests.map((r) => r.status)).toEqual([400, 200]);
    expect(rx.spans).toHaveLength(2);
    await exporter.shutdown();

    const failing = await startOtlpReceiver({ failWith: 500 });
    try {
      const toFailing = new OTLPTraceExporter({ url: failing.tracesUrl });
      expect((await exportSpans(toFailing, sent)).code).toBe(ExportResultCode.FAILED);
      expect(failing.requests.map((r) => [r.path, r.status])).toEqual([['/v1/traces', 500]]);
      await toFailing.shutdown();
    } finally {
      await failing.close();
    }
  });
});

describe('traces over OTLP/HTTP JSON', () => {
  it('decodes the JSON exporter output into the same shape', async () => {
    const sent = recordSpans(agentTrace);
    const exporter = new OTLPJsonTraceExporter({ url: rx.tracesUrl });
    expect((await exportSpans(exporter, sent)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();

    expect(rx.requests[0].headers['content-type']).toBe('application/json');
    const root = byName(rx.spans, 'agent.run');
    expect(root).toMatchObject({
      spanId: sent.find((s) => s.name === 'agent.run')!.spanContext().spanId,
      kindName: 'SERVER',
      startTimeUnixNano: 1_700_000_000_000_000_100n,
      status: { code: 2, message: 'boom' },
      events: [{ name: 'checkpoint', timeUnixNano: 1_700_000_000_200_000_000n }],
    });
    expect(root.attributes).toMatchObject({
      'int.negative': -7,
      'double.value': 3.25,
      'array.numbers': [1, 2.5, -3],
    });
    expect(byName(rx.spans, 'llm.call')).toMatchObject({
      parentSpanId: root.spanId,
      links: [{ traceId: LINKED.traceId, spanId: LINKED.spanId }],
    });
  });
});

describe('metrics over OTLP/HTTP protobuf', () => {
  it('decodes counters, up-down counters, histograms and gauges', async () => {
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: rx.metricsUrl }),
      exportIntervalMillis: 60_000,
    });
    const provider = new MeterProvider({
      resource,
      readers: [reader],
      views: [{ instrumentName: 'tokens', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    });
    try {
      const meter = provider.getMeter('metrics-scope', '0.1.0');
      const requests = meter.createCounter('requests', { description: 'Handled', valueType: ValueType.INT });
      requests.add(2, { route: '/a' });
      requests.add(3, { route: '/a' });
      requests.add(1, { route: '/b' });
      const depth = meter.createUpDownCounter('queue.depth', { valueType: ValueType.INT });
      depth.add(5);
      depth.add(-7);
      const latency = meter.createHistogram('latency', {
        unit: 'ms',
        advice: { explicitBucketBoundaries: [10, 100] },
      });
      for (const ms of [5, 50, 500, 70]) latency.record(ms, { model: 'gpt-4o' });
      meter.createGauge('temperature', { unit: 'Cel' }).record(21.5, { room: 'lab' });
      const tokens = meter.createHistogram('tokens');
      for (const n of [1, 2, 4]) tokens.record(n);

      await provider.forceFlush();
      const metrics = await rx.waitForMetrics((ms) => ms.some((m) => m.name === 'temperature'));

      expect(rx.requests[0].headers['content-type']).toBe('application/x-protobuf');
      const byMetric = (name: string) => metrics.find((m) => m.name === name)!;
      expect(byMetric('requests')).toMatchObject({
        description: 'Handled',
        type: 'sum',
        isMonotonic: true,
        temporality: 2,
        scope: { name: 'metrics-scope', version: '0.1.0' },
        resource: expect.objectContaining({ 'service.name': 'receiver-test' }),
      });
      expect(
        byMetric('requests')
          .points.map((p) => [p.attributes.route, p.value])
          .sort(),
      ).toEqual([
        ['/a', 5],
        ['/b', 1],
      ]);
      expect(byMetric('queue.depth')).toMatchObject({
        type: 'sum',
        isMonotonic: false,
        points: [{ value: -2 }],
      });

      const histogram = byMetric('latency');
      expect(histogram).toMatchObject({ type: 'histogram', unit: 'ms', temporality: 2 });
      expect(histogram.points).toHaveLength(1);
      const [point] = histogram.points;
      expect(point).toMatchObject({
        attributes: { model: 'gpt-4o' },
        count: 4,
        sum: 625,
        min: 5,
        max: 500,
        explicitBounds: [10, 100],
        bucketCounts: [1, 2, 1],
      });
      expect(point.startTimeUnixNano).toBeGreaterThan(0n);
      expect(point.timeUnixNano).toBeGreaterThanOrEqual(point.startTimeUnixNano);

      const gauge = byMetric('temperature');
      expect(gauge).toMatchObject({
        type: 'gauge',
        unit: 'Cel',
        points: [{ attributes: { room: 'lab' }, value: 21.5 }],
      });
      expect(gauge.temporality).toBeUndefined();

      const exponential = byMetric('tokens');
      expect(exponential).toMatchObject({ type: 'exponentialHistogram', temporality: 2 });
      const [expPoint] = exponential.points;
      expect(expPoint).toMatchObject({ count: 3, sum: 7, min: 1, max: 4, zeroCount: 0 });
      expect(expPoint.scale).toBeTypeOf('number');
      expect(expPoint.positive!.bucketCounts.reduce((a, b) => a + b, 0)).toBe(3);
      expect(expPoint.negative!.bucketCounts).toEqual([]);
    } finally {
      await provider.shutdown();
    }
  });
});

describe('metrics over OTLP/HTTP JSON', () => {
  it('decodes summaries and JSON int64 strings', async () => {
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-sender' } }] },
          scopeMetrics: [
            {
              scope: { name: 'legacy' },
              metrics: [
                {
                  name: 'rpc.duration',
                  summary: {
                    dataPoints: [
                      {
                        startTimeUnixNano: '1700000000000000001',
                        timeUnixNano: '1700000000000000002',
                        count: '3',
                        sum: 4.5,
                        quantileValues: [
                          { quantile: 0.5, value: 1.5 },
                          { quantile: 1, value: 2 },
                        ],
                        attributes: [{ key: 'big', value: { intValue: '9007199254740993' } }],
                      },
                    ],
                  },
                },
                { name: 'inflight', gauge: { dataPoints: [{ asInt: '-4', timeUnixNano: 1 }] } },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(rx.metricsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect([response.status, await response.text()]).toEqual([200, '{}']);
    expect(rx.metrics).toEqual([
      {
        name: 'rpc.duration',
        description: '',
        unit: '',
        type: 'summary',
        resource: { 'service.name': 'json-sender' },
        scope: { name: 'legacy', version: '' },
        points: [
          {
            attributes: { big: 9_007_199_254_740_993n },
            startTimeUnixNano: 1_700_000_000_000_000_001n,
            timeUnixNano: 1_700_000_000_000_000_002n,
            count: 3,
            sum: 4.5,
            quantiles: [
              { quantile: 0.5, value: 1.5 },
              { quantile: 1, value: 2 },
            ],
          },
        ],
      },
      {
        name: 'inflight',
        description: '',
        unit: '',
        type: 'gauge',
        resource: { 'service.name': 'json-sender' },
        scope: { name: 'legacy', version: '' },
        points: [{ attributes: {}, startTimeUnixNano: 0n, timeUnixNano: 1n, value: -4 }],
      },
    ]);
  });
});

describe('receiver behaviour', () => {
  it('rejects undecodable bodies with 400 and says why', async () => {
    const truncated = await fetch(rx.tracesUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([0x0a, 0x05, 0x0a]), // resourceSpans claims 5 bytes, 1 follows
    });
    expect(truncated.status).toBe(400);
    const wrongType = await fetch(rx.metricsUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(wrongType.status).toBe(415);
    expect(rx.errors).toEqual([
      'POST /v1/traces: resourceSpans: length 5 exceeds remaining 1 bytes at byte 1',
      "POST /v1/metrics: unsupported content-type 'text/plain'",
    ]);
    expect(rx.requests.map((r) => r.status)).toEqual([400, 415]);
    expect(rx.spans).toEqual([]);
  });

  it('times out a wait with the span names it did receive', async () => {
    await exportSpans(new OTLPTraceExporter({ url: rx.tracesUrl }), recordSpans(agentTrace));
    await expect(rx.waitForSpans((spans) => byName(spans, 'never').name === 'never', 200)).rejects.toThrow(
      /waitForSpans timed out after 200 ms; 2 span\(s\) received: \[(agent\.run, llm\.call|llm\.call, agent\.run)\].*predicate last threw: no span named 'never'/,
    );
  });

  it('resolves a wait when matching spans arrive later, and clear() forgets them', async () => {
    const waiting = rx.waitForSpans((spans) => spans.some((s) => s.name === 'llm.call'));
    await exportSpans(new OTLPTraceExporter({ url: rx.tracesUrl }), recordSpans(agentTrace));
    expect((await waiting).map((s) => s.name)).toContain('llm.call');
    rx.clear();
    expect([rx.spans, rx.requests, rx.errors]).toEqual([[], [], []]);
  });

  it('renders a span tree', async () => {
    await exportSpans(new OTLPTraceExporter({ url: rx.tracesUrl }), recordSpans(agentTrace));
    const root = byName(rx.spans, 'agent.run');
    expect(spanTree(rx.spans, { attributes: ['gen_ai.request.model', 'int.positive'] })).toBe(
      [
        `trace ${root.traceId}`,
        '  agent.run [SERVER] 1500.0 ms int.positive=42 !ERROR: boom',
        '    llm.call [CLIENT] 250.0 ms gen_ai.request.model="gpt-4o"',
      ].join('\n'),
    );
  });
});

function byName(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const span = spans.find((s) => s.name === name);
  if (span === undefined) throw new Error(`no span named '${name}'`);
  return span;
}
