import { type OtlpReceiver, startOtlpReceiver } from '@agentsight/testing';
import { ROOT_CONTEXT, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedTailSampling } from '../../src/config/resolve.js';
import { TailSamplingProcessor } from '../../src/sampling/tail.js';
import { runFixture } from './run-fixture.js';

const POLICY: ResolvedTailSampling = {
  slowThresholdMs: 50,
  keepRatio: 0,
  maxBufferedTraces: 100,
  maxBufferedSpans: 1000,
};

/** A provider of its own (no globals): spans go through tail sampling into memory. */
function setup(policy: Partial<ResolvedTailSampling> = {}) {
  const exporter = new InMemorySpanExporter();
  const tail = new TailSamplingProcessor(new SimpleSpanProcessor(exporter), { ...POLICY, ...policy });
  const provider = new BasicTracerProvider({ spanProcessors: [tail] });
  return { exporter, tail, tracer: provider.getTracer('test') };
}

/** A root lasting about `rootMs` with one child, which failed when `error` is set. */
function rootWithChild(tracer: Tracer, name: string, opts: { error?: boolean; rootMs?: number } = {}) {
  const root = tracer.startSpan(name, { startTime: Date.now() - (opts.rootMs ?? 0) }, ROOT_CONTEXT);
  const child = tracer.startSpan(`${name}/child`, {}, trace.setSpan(ROOT_CONTEXT, root));
  if (opts.error) child.setStatus({ code: SpanStatusCode.ERROR });
  child.end();
  root.end();
}

const names = (exporter: InMemorySpanExporter) => exporter.getFinishedSpans().map((s) => s.name);

describe('TailSamplingProcessor', () => {
  it('keeps failed and slow traces whole, drops fast healthy ones, and counts', () => {
    const { exporter, tail, tracer } = setup();
    rootWithChild(tracer, 'failed', { error: true });
    rootWithChild(tracer, 'slow', { rootMs: 80 });
    rootWithChild(tracer, 'fast');
    expect(names(exporter).sort()).toEqual(['failed', 'failed/child', 'slow', 'slow/child']);
    expect(tail.stats()).toMatchObject({
      keptTraces: 2,
      droppedTraces: 1,
      droppedSpans: 2,
      bufferedTraces: 0,
    });
  });

  it('holds spans until the local root ends', () => {
    const { exporter, tracer } = setup();
    const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
    const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root));
    child.setStatus({ code: SpanStatusCode.ERROR });
    child.end();
    expect(names(exporter)).toEqual([]);
    root.end();
    expect(names(exporter)).toEqual(['child', 'root']);
  });

  it('keepRatio 1 keeps everything', () => {
    const { exporter, tracer } = setup({ keepRatio: 1 });
    rootWithChild(tracer, 'fast');
    expect(names(exporter)).toHaveLength(2);
  });

  it('a span ending after its root follows the root’s decision', () => {
    const { exporter, tracer } = setup();
    const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
    const late = tracer.startSpan('late', {}, trace.setSpan(ROOT_CONTEXT, root));
    root.end();
    late.end();
    expect(names(exporter)).toEqual([]);
  });

  it('judges each local root under a remote parent separately', () => {
    const { exporter, tracer } = setup();
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    const failing = tracer.startSpan('failing', {}, remote);
    const healthy = tracer.startSpan('healthy', {}, remote);
    healthy.end();
    failing.setStatus({ code: SpanStatusCode.ERROR });
    failing.end();
    expect(names(exporter)).toEqual(['failing']);
  });

  it('on overflow forwards the oldest trace instead of losing it', () => {
    const { exporter, tail, tracer } = setup({ maxBufferedTraces: 2 });
    const roots = ['a', 'b', 'c'].map((name) => tracer.startSpan(name, {}, ROOT_CONTEXT));
    const child = tracer.startSpan('a/child', {}, trace.setSpan(ROOT_CONTEXT, roots[0]));
    child.end();
    expect(tail.stats()).toMatchObject({ overflowTraces: 1, bufferedTraces: 2 });
    roots[0].end();
    // Trace `a` was forwarded undecided; its remaining spans follow.
    expect(names(exporter)).toEqual(['a/child', 'a']);
  });

  it('bounds buffered spans too', () => {
    const { tail, tracer } = setup({ maxBufferedSpans: 5 });
    const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
    for (let i = 0; i < 20; i++) tracer.startSpan(`c${i}`, {}, trace.setSpan(ROOT_CONTEXT, root)).end();
    expect(tail.stats().bufferedSpans).toBeLessThanOrEqual(5);
  });

  it('forceFlush releases what is buffered, by policy', async () => {
    const { exporter, tail, tracer } = setup({ slowThresholdMs: 60_000 });
    const root = tracer.startSpan('open', {}, ROOT_CONTEXT);
    const child = tracer.startSpan('failed child', {}, trace.setSpan(ROOT_CONTEXT, root));
    child.setStatus({ code: SpanStatusCode.ERROR });
    child.end();
    await tail.forceFlush();
    expect(names(exporter)).toEqual(['failed child']);
    expect(tail.stats().bufferedTraces).toBe(0);
  });
});

describe('tail sampling through init()', () => {
  let rx: OtlpReceiver;
  beforeEach(async () => {
    rx = await startOtlpReceiver();
  });
  afterEach(async () => {
    await rx.close();
  });

  it('exports the failing and the slow trace, not the fast one', async () => {
    const run = await runFixture('tail', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url } });
    expect(run.code).toBe(0);
    await rx.waitForMetrics((all) => all.some((m) => m.name === 'agentsight.tail_sampling.traces'));
    const exported = rx.spans.map((s) => s.name).sort();
    expect(exported).toEqual([
      'execute_tool bad',
      'execute_tool wait',
      'invoke_agent failing',
      'invoke_agent slow',
    ]);
    const decisions = rx.metrics.find((m) => m.name === 'agentsight.tail_sampling.traces');
    const byDecision = Object.fromEntries(
      decisions?.points.map((p) => [p.attributes.decision, p.value]) ?? [],
    );
    expect(byDecision).toEqual({ kept: 2, dropped: 1 });
  });

  it('is switched on by AGENTSIGHT_TAIL_SAMPLING with AGENTSIGHT_TAIL_SLOW_MS', async () => {
    const run = await runFixture('work', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
        AGENTSIGHT_TAIL_SAMPLING: 'true',
        AGENTSIGHT_TAIL_SLOW_MS: '60000',
      },
    });
    expect(run.code).toBe(0);
    await rx.waitForMetrics((all) => all.some((m) => m.name === 'agentsight.tail_sampling.traces'));
    expect(rx.spans).toHaveLength(0);
  });
});
