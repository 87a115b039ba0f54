import { createServer } from 'node:net';
import { type OtlpReceiver, startOtlpReceiver } from '@agentsight/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFixture } from './run-fixture.js';

let rx: OtlpReceiver;
beforeEach(async () => {
  rx = await startOtlpReceiver();
});
afterEach(async () => {
  await rx.close();
});

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('init() from the environment', () => {
  it('applies OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, NODE_ENV and OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const run = await runFixture('twice', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
        OTEL_SERVICE_NAME: 'from-env',
        OTEL_RESOURCE_ATTRIBUTES: 'team=agents,service.namespace=demo',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-signal=traces',
        NODE_ENV: 'staging',
      },
    });
    expect(run.code).toBe(0);
    const [span] = await rx.waitForSpans((spans) => spans.some((s) => s.name === 'invoke_agent once'));
    // serviceName passed to init() wins over OTEL_SERVICE_NAME; the rest comes from the env.
    expect(span.resource['service.name']).toBe('first');
    expect(span.resource.team).toBe('agents');
    expect(span.resource['service.namespace']).toBe('demo');
    expect(span.resource['deployment.environment.name']).toBe('staging');
    expect(span.resource['deployment.environment']).toBe('staging');
    expect(span.resource['telemetry.sdk.language']).toBe('nodejs');
    expect(span.resource['process.command_args']).toBeUndefined();
    const traceRequest = rx.requests.find((r) => r.path === '/v1/traces');
    expect(traceRequest?.headers['x-tenant']).toBe('acme');
    expect(traceRequest?.headers['x-signal']).toBe('traces');
    expect(traceRequest?.headers['content-type']).toBe('application/x-protobuf');
    expect(rx.requests.find((r) => r.path === '/v1/metrics')?.headers['x-signal']).toBeUndefined();
  });

  it('uses OTEL_SERVICE_NAME when the code passes none, and OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is', async () => {
    const run = await runFixture('continue', {
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: rx.tracesUrl,
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_SERVICE_NAME: 'from-env',
      },
    });
    expect(run.code).toBe(0);
    const [span] = await rx.waitForSpans((spans) => spans.length > 0);
    expect(span.resource['service.name']).toBe('from-env');
    expect(rx.requests.map((r) => r.path)).toEqual(['/v1/traces']);
  });

  it('returns the first handle when called twice and reports it once', async () => {
    const run = await runFixture('twice', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_LOG_LEVEL: 'warn' },
    });
    expect(run.result.same).toBe(true);
    expect(run.stderr.match(/init\(\) was already called/g)).toHaveLength(1);
    const spans = await rx.waitForSpans((all) => all.length > 0);
    expect(spans.filter((s) => s.name === 'invoke_agent once')).toHaveLength(1);
  });

  it('OTEL_SDK_DISABLED=true registers nothing but keeps the API working', async () => {
    const run = await runFixture('disabled', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_SDK_DISABLED: 'true' },
    });
    expect(run.code).toBe(0);
    expect(run.result).toEqual({ value: 'still works', recording: false });
    expect(rx.requests).toHaveLength(0);
  });

  it('joins an SDK registered before it without registering its own or duplicating spans', async () => {
    const run = await runFixture('foreign', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url } });
    expect(run.code).toBe(0);
    expect(run.result.usesTheirs).toBe(true);
    expect(run.stderr).toContain('a tracer provider is already registered');
    const spans = await rx.waitForSpans((all) => all.some((s) => s.name === 'invoke_agent in-foreign'));
    expect(spans.filter((s) => s.name === 'invoke_agent in-foreign')).toHaveLength(1);
    expect(spans[0].resource['service.name']).toBe('their-sdk');
    // Our metric pipeline was not started either.
    expect(rx.requests.every((r) => r.path === '/v1/traces')).toBe(true);
  });
});

describe('head sampling', () => {
  it('honours OTEL_TRACES_SAMPLER=parentbased_traceidratio: ratio 0 drops roots, a sampled parent still wins', async () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
    };
    const unparented = await runFixture('sampled', { env });
    expect(unparented.code).toBe(0);
    // Metrics are flushed at exit too, so once they arrived every span would have as well.
    await rx.waitForMetrics((metrics) => metrics.some((m) => m.name === 'agentsight.agent.invocations'));
    expect(rx.spans).toHaveLength(0);

    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await runFixture('sampled', { env: { ...env, TRACEPARENT: `00-${traceId}-00f067aa0ba902b7-01` } });
    const spans = await rx.waitForSpans((all) => all.length === 40);
    expect(spans.every((s) => s.traceId === traceId)).toBe(true);
  });

  it('an explicit sampling.ratio overrides the env sampler', async () => {
    const run = await runFixture('ratio-zero', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_TRACES_SAMPLER: 'always_on' },
    });
    expect(run.code).toBe(0);
    await rx.waitForMetrics((metrics) => metrics.some((m) => m.name === 'agentsight.agent.invocations'));
    expect(rx.spans).toHaveLength(0);
  });
});

describe('exporting never hurts the app', () => {
  it('flushes spans and metrics of a short-lived process at exit, without shutdown()', async () => {
    const run = await runFixture('agent', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url } });
    expect(run.code).toBe(0);
    const spans = await rx.waitForSpans((all) => all.length >= 8);
    expect(spans.map((s) => s.name)).toContain('invoke_agent planner');
    const metrics = await rx.waitForMetrics((all) => all.some((m) => m.name === 'agentsight.agent.active'));
    const invocations = metrics.find((m) => m.name === 'agentsight.agent.invocations');
    expect(invocations?.isMonotonic).toBe(true);
    const byAgent = Object.fromEntries(
      invocations?.points.map((p) => [p.attributes['gen_ai.agent.name'], p.value]) ?? [],
    );
    expect(byAgent).toEqual({ planner: 1, broken: 1 });
    const errors = metrics.find((m) => m.name === 'agentsight.errors');
    expect(errors?.points.map((p) => p.attributes['error.type']).sort()).toEqual([
      'Error',
      'RangeError',
      'TypeError',
    ]);
    const active = metrics.find((m) => m.name === 'agentsight.agent.active');
    expect(active?.points.every((p) => p.value === 0)).toBe(true);
    expect(metrics.find((m) => m.name === 'agentsight.tool.executions')?.points).toHaveLength(4);
  });

  it('a dead collector neither slows the work nor holds the finished process open', async () => {
    const port = await closedPort();
    const run = await runFixture('work', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    expect(run.code).toBe(0);
    expect(run.result.workMs).toBeLessThan(1000);
    // The stock exporter's retry schedule alone would keep it alive for about 9 s.
    expect(run.durationMs).toBeLessThan(4000);
  });

  it('a collector answering 500 causes no error and no delay', async () => {
    rx.setFailure(500);
    const run = await runFixture('work', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url } });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.durationMs).toBeLessThan(4000);
    expect(rx.requests.filter((r) => r.path === '/v1/traces').map((r) => r.status)).toEqual([500]);
  });

  it('flushes on SIGTERM, then terminates by that signal when the app has no handler', async () => {
    const run = await runFixture('signal', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url },
      onReady: (child) => child.kill('SIGTERM'),
    });
    expect(run.signal).toBe('SIGTERM');
    expect(rx.spans.map((s) => s.name)).toContain('invoke_agent before-signal');
  });

  it('flushes on SIGTERM but leaves exiting to the app when it handles the signal itself', async () => {
    const run = await runFixture('signal-own-handler', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url },
      onReady: (child) => child.kill('SIGTERM'),
    });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(3);
    expect(rx.spans.map((s) => s.name)).toContain('invoke_agent before-signal');
  });
});

describe('the register entry point', () => {
  it.each([
    ['--import', 'preloaded.mjs'],
    ['--require', 'preloaded.cjs'],
  ])('node %s @agentsight/otel/register starts the SDK from the environment', async (flag, script) => {
    const run = await runFixture(flag.slice(2), {
      script,
      nodeArgs: [flag, '@agentsight/otel/register'],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_SERVICE_NAME: 'preloaded-app' },
    });
    expect(run.code, run.stderr).toBe(0);
    const [span] = await rx.waitForSpans((spans) => spans.length > 0);
    expect(span.name).toBe(`invoke_agent preloaded ${flag.slice(2)}`);
    expect(span.resource['service.name']).toBe('preloaded-app');
  });
});
