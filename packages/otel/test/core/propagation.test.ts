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

interface ChildEnv {
  TRACEPARENT?: string;
  BAGGAGE?: string;
  KEEP_ME?: string;
}

describe('withSession', () => {
  it('puts session.id/user.id on every nested span and into the baggage header of fetch requests', async () => {
    const run = await runFixture('session', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url } });
    expect(run.code).toBe(0);
    expect(run.result.echoed).toEqual({ baggage: 'session.id=sess-42,user.id=user-7' });
    const spans = await rx.waitForSpans((all) => all.length >= 3);
    const names = spans.map((s) => s.name).sort();
    expect(names).toEqual(['GET', 'execute_tool fetcher', 'invoke_agent chat']);
    for (const span of spans) {
      expect(span.attributes['session.id']).toBe('sess-42');
      expect(span.attributes['user.id']).toBe('user-7');
    }
  });
});

describe('child processes', () => {
  it('get TRACEPARENT and BAGGAGE of the active span via spawn, execFile, exec, execFileSync and fork', async () => {
    const run = await runFixture('child', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url } });
    expect(run.code).toBe(0);
    const [span] = await rx.waitForSpans((all) => all.some((s) => s.name === 'invoke_agent spawner'));
    expect(run.result.traceId).toBe(span.traceId);
    expect(run.result.spanId).toBe(span.spanId);
    const expected = `00-${span.traceId}-${span.spanId}-01`;
    for (const variant of ['spawned', 'execed', 'shelled', 'syncOut', 'forked']) {
      const env = run.result[variant] as ChildEnv;
      expect(env.TRACEPARENT, variant).toBe(expected);
      expect(env.BAGGAGE, variant).toBe('session.id=sess-child');
    }
    // Everything else the caller passed arrives unchanged, and the caller's objects are not modified.
    expect((run.result.spawned as ChildEnv).KEEP_ME).toBe('yes');
    expect((run.result.execed as ChildEnv).KEEP_ME).toBe('yes');
    expect(run.result.callerEnvUntouched).toBe(true);
  });

  it('a process started with TRACEPARENT continues that trace', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const parentSpanId = 'b7ad6b7169203331';
    const run = await runFixture('continue', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, TRACEPARENT: `00-${traceId}-${parentSpanId}-01` },
    });
    expect(run.code).toBe(0);
    const [span] = await rx.waitForSpans((all) => all.length > 0);
    expect(span.traceId).toBe(traceId);
    expect(span.parentSpanId).toBe(parentSpanId);
  });

  it('continueTraceFromEnv can be turned off', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    await runFixture('continue', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
        TRACEPARENT: `00-${traceId}-b7ad6b7169203331-01`,
        AGENTSIGHT_CONTINUE_TRACE_FROM_ENV: 'false',
      },
    });
    const [span] = await rx.waitForSpans((all) => all.length > 0);
    expect(span.traceId).not.toBe(traceId);
    expect(span.parentSpanId).toBe('');
  });
});
