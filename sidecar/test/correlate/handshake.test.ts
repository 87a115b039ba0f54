import { describe, expect, it } from 'vitest';
import { Correlator } from '../../src/correlate/correlator.js';
import type { SpanRecord } from '../../src/correlate/span-record.js';
import { exchange, exec, exit, ns } from './synthetic-events.js';

describe('TLS handshakes in spans', () => {
  it('gives the first exchange of a connection its handshake duration in seconds', () => {
    const spans: SpanRecord[] = [];
    const correlator = new Correlator({ onSpan: (s) => spans.push(s), snapshot: () => undefined });
    const x = exchange({ pid: 10, startMs: 100, endMs: 130 });
    x.timings.tlsHandshakeStartNs = ns(95);
    x.timings.tlsHandshakeEndNs = ns(99);
    correlator.handleRecord(x);
    correlator.finish(ns(200));
    const span = spans.find((s) => s.name === 'POST')!;
    expect(span.attributes['agentsight.tls.handshake.duration']).toBeCloseTo(0.004, 9);
  });

  it('records a handshake that never completed as an event on the process span', () => {
    const spans: SpanRecord[] = [];
    const correlator = new Correlator({ onSpan: (s) => spans.push(s), snapshot: () => undefined });
    correlator.handleActivity(exec(20, 1, ['curl', 'https://x'], 0));
    correlator.handleActivity({
      kind: 'tls_handshake',
      pid: 20,
      tid: 20,
      ppid: 1,
      comm: 'curl',
      tsNs: ns(10),
      endNs: ns(12),
      connId: '20:1:beef',
      result: 'incomplete',
    });
    correlator.handleActivity(exit(20, 1, 'curl', 20, 60));
    const curl = spans.find((s) => s.name === 'process curl')!;
    expect(curl.events).toEqual([
      {
        name: 'agentsight.tls.handshake_failed',
        tsNs: ns(12),
        attributes: {
          'agentsight.connection.id': '20:1:beef',
          'agentsight.tls.handshake.result': 'incomplete',
          'agentsight.tls.handshake.duration': 0.002,
          'thread.id': 20,
        },
      },
    ]);
  });
});
