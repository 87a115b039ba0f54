import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { Correlator } from '../../src/correlate/correlator.js';
import type { SpanRecord } from '../../src/correlate/span-record.js';
import {
  APP_SPAN_ID,
  APP_TRACE_ID,
  chatCall,
  connect,
  exchange,
  exec,
  exit,
  fileOpen,
  fork,
  TRACEPARENT,
} from './synthetic-events.js';

function setup(options: { maxEventsPerProcess?: number } = {}) {
  const spans: SpanRecord[] = [];
  const correlator = new Correlator({ onSpan: (s) => spans.push(s), snapshot: () => undefined, ...options });
  const byName = (name: string): SpanRecord => {
    const found = spans.find((s) => s.name === name);
    if (!found) throw new Error(`no span '${name}' in ${spans.map((s) => s.name).join(', ')}`);
    return found;
  };
  return { correlator, spans, byName };
}

describe('process join rules', () => {
  it('puts a process started with TRACEPARENT under that span, and its descendants under it', () => {
    const { correlator, byName } = setup();
    correlator.handleActivity(exec(100, 1, ['python3', 'tool.py'], 0, { TRACEPARENT }));
    correlator.handleActivity(fork(100, 1, 'python3', 101, 10));
    correlator.handleActivity(exec(101, 100, ['/usr/bin/curl', '-s', 'https://x'], 11, {}));
    correlator.handleActivity(exit(101, 100, 'curl', 20, 0));
    correlator.handleActivity(exit(100, 1, 'python3', 30, 3));

    const python = byName('process python3');
    expect(python.placement).toMatchObject({
      traceId: APP_TRACE_ID,
      parentSpanId: APP_SPAN_ID,
      correlation: 'env',
    });
    expect(python.attributes).toMatchObject({
      'process.pid': 100,
      'process.parent_pid': 1,
      'process.command': 'python3',
      'process.command_args': ['python3', 'tool.py'],
      'process.executable.path': '/usr/bin/python3',
      'process.exit.code': 3,
      'agentsight.correlation': 'env',
    });
    expect(python.status).toEqual({ code: SpanStatusCode.ERROR, message: 'exit code 3' });
    expect(python.kind).toBe(SpanKind.INTERNAL);

    const curl = byName('process curl');
    expect(curl.placement).toMatchObject({
      traceId: APP_TRACE_ID,
      parentSpanId: python.placement.spanId,
      correlation: 'inferred',
    });
    expect(curl.startNs).toBe(exec(0, 0, ['x'], 10).tsNs);
    expect(curl.attributes['process.command_args']).toEqual(['/usr/bin/curl', '-s', 'https://x']);
    expect(curl.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('keeps a TRACEPARENT inherited unchanged through a shell under the shell, a new one under its span', () => {
    const { correlator, byName } = setup();
    const toolSpan = '1111111111111111';
    const other = `00-${APP_TRACE_ID}-${toolSpan}-01`;
    correlator.handleActivity(exec(200, 1, ['/bin/sh', '-c', 'curl x; node y'], 0, { TRACEPARENT }));
    correlator.handleActivity(fork(200, 1, 'sh', 201, 1));
    correlator.handleActivity(exec(201, 200, ['curl', 'x'], 2, { TRACEPARENT }));
    correlator.handleActivity(fork(200, 1, 'sh', 202, 3));
    correlator.handleActivity(exec(202, 200, ['node', 'y'], 4, { TRACEPARENT: other }));
    for (const [pid, comm] of [
      [201, 'curl'],
      [202, 'node'],
      [200, 'sh'],
    ] as const) {
      correlator.handleActivity(exit(pid, 1, comm, 10, 0));
    }
    const sh = byName('process sh');
    expect(sh.placement).toMatchObject({ parentSpanId: APP_SPAN_ID, correlation: 'env' });
    expect(byName('process curl').placement).toMatchObject({
      traceId: APP_TRACE_ID,
      parentSpanId: sh.placement.spanId,
      correlation: 'env',
    });
    expect(byName('process node').placement).toMatchObject({
      traceId: APP_TRACE_ID,
      parentSpanId: toolSpan,
      correlation: 'env',
    });
    expect(correlator.stats().processesJoinedByEnv).toBe(3);
  });

  it('gives a process with no context its own trace, shared by its descendants', () => {
    const { correlator, byName } = setup();
    correlator.handleActivity(exec(300, 1, ['bash', 'run.sh'], 0));
    correlator.handleActivity(fork(300, 1, 'bash', 301, 1));
    correlator.handleActivity(exec(301, 300, ['make'], 2));
    correlator.handleActivity(exit(301, 300, 'make', 3, null, 9));
    correlator.handleActivity(exit(300, 1, 'bash', 4, 0));
    const bash = byName('process bash');
    expect(bash.placement.parentSpanId).toBeUndefined();
    expect(bash.placement.correlation).toBe('none');
    expect(bash.placement.traceId).not.toBe(APP_TRACE_ID);
    const make = byName('process make');
    expect(make.placement).toMatchObject({
      traceId: bash.placement.traceId,
      parentSpanId: bash.placement.spanId,
    });
    expect(make.attributes['agentsight.process.exit.signal']).toBe(9);
    expect(make.attributes['process.exit.code']).toBeUndefined();
    expect(make.status).toEqual({ code: SpanStatusCode.ERROR, message: 'killed by signal 9' });
  });

  it('keeps span id and root trace across exec of the same pid (shell exec)', () => {
    const { correlator, byName } = setup();
    const first = correlator.handleActivity(exec(400, 1, ['/bin/sh', '-c', 'exec node app.js'], 0));
    const second = correlator.handleActivity(exec(400, 1, ['node', 'app.js'], 1));
    expect(second).toMatchObject({ traceId: first.traceId, spanId: first.spanId });
    correlator.handleActivity(exit(400, 1, 'node', 2, 0));
    expect(byName('process node').attributes['process.command_args']).toEqual(['node', 'app.js']);
  });

  it('ends still-running processes at shutdown, flagged as running', () => {
    const { correlator, spans } = setup();
    correlator.handleActivity(exec(500, 1, ['sleep', '100'], 0));
    correlator.finish(exec(0, 0, ['x'], 50).tsNs);
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['agentsight.process.running']).toBe(true);
    expect(spans[0].endNs - spans[0].startNs).toBe(50_000_000n);
  });
});

describe('process activity', () => {
  it('records file and network operations as span events, bounded per process', () => {
    const { correlator, byName } = setup({ maxEventsPerProcess: 2 });
    correlator.handleActivity(exec(600, 1, ['node', 'agent.js'], 0));
    correlator.handleActivity(fileOpen(600, 'node', '/etc/hosts', 1, 21));
    correlator.handleActivity(connect(600, 'node', '127.0.0.1', 8443, 2));
    correlator.handleActivity(fileOpen(600, 'node', '/nope', 3, -2));
    correlator.handleActivity(exit(600, 1, 'node', 4, 0));
    const node = byName('process node');
    expect(node.events.map((e) => e.name)).toEqual(['file.open', 'network.connect']);
    expect(node.events[0].attributes).toMatchObject({
      'file.path': '/etc/hosts',
      'agentsight.syscall.result': 21,
    });
    expect(node.events[1].attributes).toMatchObject({
      'network.peer.address': '127.0.0.1',
      'network.peer.port': 8443,
      'network.type': 'ipv4',
      'error.type': 'EINPROGRESS',
    });
    expect(node.droppedEvents).toBe(1);
    expect(correlator.stats()).toMatchObject({ fileEvents: 2, networkEvents: 1, droppedSpanEvents: 1 });
  });

  it('reads a process met mid-life from /proc, TRACEPARENT from its environment included', async () => {
    const child = spawn('sleep', ['5'], { env: { ...process.env, TRACEPARENT, TRACESTATE: 'vendor=1' } });
    await once(child, 'spawn');
    try {
      const spans: SpanRecord[] = [];
      const correlator = new Correlator({ onSpan: (s) => spans.push(s) });
      const before = BigInt(Date.now() - 60_000) * 1_000_000n;
      expect(correlator.adopt(child.pid!, BigInt(Date.now()) * 1_000_000n)).toBe(true);
      correlator.finish(BigInt(Date.now()) * 1_000_000n);
      expect(spans[0].name).toBe('process sleep');
      expect(spans[0].placement).toMatchObject({
        traceId: APP_TRACE_ID,
        parentSpanId: APP_SPAN_ID,
        traceState: 'vendor=1',
        correlation: 'env',
      });
      expect(spans[0].attributes).toMatchObject({
        'process.pid': child.pid,
        'process.parent_pid': process.pid,
        'process.command_args': ['sleep', '5'],
      });
      expect(String(spans[0].attributes['process.executable.path'])).toMatch(/sleep$/);
      expect(spans[0].startNs > before).toBe(true);
      expect(correlator.adopt(2 ** 22 + 12345, 0n)).toBe(false);
    } finally {
      child.kill();
    }
  });
});

describe('HTTP exchange join rules', () => {
  it('puts an exchange with traceparent under the named span, whatever its process', () => {
    const { correlator, byName } = setup();
    correlator.handleActivity(exec(700, 1, ['node', 'agent.js'], 0));
    const placement = correlator.handleRecord(
      exchange({ pid: 700, headers: { traceparent: TRACEPARENT }, startMs: 5, endMs: 9, llm: chatCall() }),
    );
    const chat = byName('chat gpt-4o-mini');
    expect(chat.placement).toMatchObject({
      traceId: APP_TRACE_ID,
      parentSpanId: APP_SPAN_ID,
      correlation: 'traceparent',
    });
    expect(placement.spanId).toBe(chat.placement.spanId);
    expect(chat.kind).toBe(SpanKind.CLIENT);
  });

  it('with x-trace-id only: under the process when it is in that trace, else a root in that trace', () => {
    const { correlator, spans } = setup();
    correlator.handleActivity(exec(800, 1, ['python3', 'a.py'], 0, { TRACEPARENT }));
    correlator.handleActivity(exec(801, 1, ['python3', 'b.py'], 0));
    const inTrace = correlator.handleRecord(
      exchange({ pid: 800, headers: { 'x-trace-id': APP_TRACE_ID }, startMs: 1, endMs: 2 }),
    );
    const otherTrace = correlator.handleRecord(
      exchange({ pid: 801, headers: { 'x-trace-id': APP_TRACE_ID.toUpperCase() }, startMs: 1, endMs: 2 }),
    );
    const python = correlator.handleActivity(exit(800, 1, 'python3', 3, 0));
    expect(inTrace).toMatchObject({
      traceId: APP_TRACE_ID,
      parentSpanId: python.spanId,
      correlation: 'x-trace-id',
    });
    expect(otherTrace).toMatchObject({ traceId: APP_TRACE_ID, correlation: 'x-trace-id' });
    expect(otherTrace.parentSpanId).toBeUndefined();
    expect(spans.filter((s) => s.name === 'POST')).toHaveLength(2);
    expect(correlator.stats().exchangesJoinedByHeader).toBe(2);
  });

  it('without headers: under the process span, also when decoded after the process exited', () => {
    const { correlator } = setup();
    const proc = correlator.handleActivity(exec(900, 1, ['curl', 'x'], 0, { TRACEPARENT }));
    correlator.handleActivity(exit(900, 1, 'curl', 3, 0));
    const placement = correlator.handleRecord(exchange({ pid: 900, startMs: 1, endMs: 2 }));
    expect(placement).toMatchObject({
      traceId: APP_TRACE_ID,
      parentSpanId: proc.spanId,
      correlation: 'inferred',
    });
  });

  it('ignores malformed and all-zero trace headers', () => {
    const { correlator } = setup();
    const proc = correlator.handleActivity(exec(1000, 1, ['node', 'x'], 0));
    const malformed: Array<Record<string, string>> = [
      { traceparent: `00-${'0'.repeat(32)}-${APP_SPAN_ID}-01` },
      { traceparent: `ff-${APP_TRACE_ID}-${APP_SPAN_ID}-01` },
      { traceparent: 'garbage' },
      { 'x-trace-id': '1234' },
    ];
    for (const headers of malformed) {
      const placement = correlator.handleRecord(exchange({ pid: 1000, headers, startMs: 1, endMs: 2 }));
      expect(placement).toMatchObject({
        traceId: proc.traceId,
        parentSpanId: proc.spanId,
        correlation: 'inferred',
      });
    }
  });

  it('records undecoded connections as events on a live process span and counts them', () => {
    const { correlator, byName } = setup();
    correlator.handleActivity(exec(1100, 1, ['node', 'x'], 0));
    correlator.handleRecord({
      kind: 'undecoded',
      connId: 'c1',
      pid: 1100,
      comm: 'node',
      reason: 'http2',
      bytes: 99,
      tsNs: exec(0, 0, ['x'], 1).tsNs,
    });
    correlator.handleActivity(exit(1100, 1, 'node', 2, 0));
    expect(byName('process node').events[0]).toMatchObject({
      name: 'agentsight.connection.undecoded',
      attributes: {
        'agentsight.connection.undecoded_reason': 'http2',
        'agentsight.connection.undecoded_bytes': 99,
      },
    });
    expect(correlator.stats().undecodedConnections).toBe(1);
  });

  it('wakes waitForExit when the exit comes through, and times out otherwise', async () => {
    const { correlator } = setup();
    correlator.handleActivity(exec(1200, 1, ['node', 'x'], 0));
    const waiting = correlator.waitForExit(1200, 5000);
    correlator.handleActivity(exit(1200, 1, 'node', 1, 0));
    await expect(waiting).resolves.toBe(true);
    await expect(correlator.waitForExit(1200, 10)).resolves.toBe(true);
    await expect(correlator.waitForExit(1201, 10)).resolves.toBe(false);
  });
});
