import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '@agentsight/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureRun, runFixture } from './run-fixture.js';

let rx: OtlpReceiver;
let run: FixtureRun;
let spans: ReceivedSpan[];
const byName = (name: string) => {
  const span = spans.find((s) => s.name === name);
  if (!span) throw new Error(`no span ${name} in ${spans.map((s) => s.name).join(', ')}`);
  return span;
};

beforeAll(async () => {
  rx = await startOtlpReceiver();
  run = await runFixture('agent', { env: { OTEL_EXPORTER_OTLP_ENDPOINT: rx.url } });
  spans = await rx.waitForSpans((all) => all.length >= 8);
});
afterAll(async () => {
  await rx.close();
});

describe('traceAgent / traceTool / traceWorkflow / withSpan', () => {
  it('return exactly what the function returns, and rethrow what it throws', () => {
    expect(run.code).toBe(0);
    expect(run.result).toEqual({
      sync: 42,
      syncError: 'sync boom',
      rejected: 'async boom',
      sameThenable: true,
      generic: 16,
      failedAgent: 'agent failed',
    });
  });

  it('nest workflow → agent → tools in one trace, with GenAI attributes', () => {
    const workflow = byName('invoke_workflow pipeline');
    const agent = byName('invoke_agent planner');
    const lookup = byName('execute_tool lookup');
    expect(workflow.parentSpanId).toBe('');
    expect(agent.parentSpanId).toBe(workflow.spanId);
    for (const name of ['lookup', 'explode', 'reject', 'thenable']) {
      const tool = byName(`execute_tool ${name}`);
      expect(tool.parentSpanId).toBe(agent.spanId);
      expect(tool.traceId).toBe(workflow.traceId);
      expect(tool.kindName).toBe('INTERNAL');
      expect(tool.attributes['gen_ai.operation.name']).toBe('execute_tool');
      expect(tool.attributes['gen_ai.tool.name']).toBe(name);
    }
    expect(byName('custom step').parentSpanId).toBe(agent.spanId);
    expect(agent.kindName).toBe('INTERNAL');
    expect(agent.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'planner',
    });
    expect(workflow.attributes['gen_ai.workflow.name']).toBe('pipeline');
    expect(lookup.attributes).toMatchObject({
      'gen_ai.tool.call.id': 'call-1',
      'gen_ai.tool.type': 'function',
    });
    expect(lookup.status.code).toBe(0);
    expect(agent.status.code).toBe(0);
  });

  it('mark sync throws and async rejections as errors with error.type and an exception event', () => {
    const cases = [
      ['execute_tool explode', 'TypeError', 'sync boom'],
      ['execute_tool reject', 'RangeError', 'async boom'],
      ['invoke_agent broken', 'Error', 'agent failed'],
    ] as const;
    for (const [name, type, message] of cases) {
      const span = byName(name);
      expect(span.status).toEqual({ code: 2, message });
      expect(span.attributes['error.type']).toBe(type);
      const exception = span.events.find((e) => e.name === 'exception');
      expect(exception?.attributes['exception.type']).toBe(type);
      expect(exception?.attributes['exception.message']).toBe(message);
    }
  });

  it('end a span only when its promise settles', () => {
    const reject = byName('execute_tool reject');
    const durationMs = Number(reject.endTimeUnixNano - reject.startTimeUnixNano) / 1e6;
    expect(durationMs).toBeGreaterThanOrEqual(4);
  });
});
