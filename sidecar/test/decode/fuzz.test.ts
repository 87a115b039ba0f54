import { describe, expect, it } from 'vitest';
import type { TlsDataEvent } from '../../src/capture/events.js';
import type { DecodeStats } from '../../src/decode/index.js';
import { createPrng, generateSyntheticCapture } from '../../src/decode/synthetic.js';
import { decodeEvents } from './wire.js';

const MAX_BODY = 4096;
const TOKENS = [
  'GET / HTTP/1.1\r\n',
  'POST /v1/chat/completions HTTP/1.1\r\n',
  'POST /v1/messages HTTP/1.1\r\n',
  'HTTP/1.1 200 OK\r\n',
  'HTTP/1.1 100 Continue\r\n\r\n',
  'HTTP/1.1 101 Switching Protocols\r\n',
  'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'Content-Length: 5\r\n',
  'Content-Length: 99999999\r\n',
  'Transfer-Encoding: chunked\r\n',
  'Content-Encoding: gzip\r\n',
  'Content-Type: text/event-stream\r\n',
  'anthropic-version: 2023-06-01\r\n',
  '\r\n',
  '\n',
  '5\r\nhello\r\n',
  '0\r\n\r\n',
  'fffffffffff\r\n',
  'data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":3}}\n\n',
  '{"model":"m","messages":[]}',
  ' folded\r\n',
];

type Random = () => number;
const pick = <T>(random: Random, items: T[]): T => items[Math.floor(random() * items.length)];

function randomEvents(random: Random): TlsDataEvent[] {
  const offsets = new Map<string, number>();
  return Array.from({ length: 1 + Math.floor(random() * 30) }, (_, i) => {
    const connId = `${1 + Math.floor(random() * 3)}:1:f`;
    const direction = random() < 0.5 ? 'write' : 'read';
    const key = `${connId}/${direction}`;
    const grammar = random() < 0.7;
    const data = grammar
      ? Buffer.from(Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(random, TOKENS)).join(''))
      : Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
    const offset = random() < 0.9 ? (offsets.get(key) ?? 0) : Math.floor(random() * 1000);
    offsets.set(key, offset + data.length);
    return {
      kind: 'tls_data' as const,
      connId,
      direction,
      offset,
      data,
      callLength: data.length,
      truncated: random() < 0.05,
      pid: 1,
      tid: 1,
      ppid: 0,
      comm: 'fuzz',
      tsNs: BigInt(i) * 1000n,
    };
  });
}

function mutate(events: TlsDataEvent[], random: Random): TlsDataEvent[] {
  const result = events.map((event) => ({ ...event }));
  const mutations = 1 + Math.floor(random() * 5);
  for (let m = 0; m < mutations && result.length > 1; m++) {
    const i = Math.floor(random() * result.length);
    const event = result[i];
    switch (Math.floor(random() * 6)) {
      case 0: {
        const data = Buffer.from(event.data);
        if (data.length > 0) data[Math.floor(random() * data.length)] ^= 1 << Math.floor(random() * 8);
        event.data = data;
        break;
      }
      case 1:
        event.data = event.data.subarray(0, Math.floor(random() * event.data.length));
        event.truncated = random() < 0.5;
        break;
      case 2:
        result.splice(Math.floor(random() * result.length), 0, { ...event });
        break;
      case 3: {
        const j = Math.floor(random() * result.length);
        [result[i], result[j]] = [result[j], result[i]];
        break;
      }
      case 4:
        result.splice(i, 1);
        break;
      default:
        event.offset += Math.floor((random() - 0.5) * 200);
        event.offset = Math.max(0, event.offset);
    }
  }
  return result;
}

type Totals = Record<keyof DecodeStats, number>;

function checkInvariants(events: TlsDataEvent[], totals: Totals): void {
  const { records, exchanges, decoder } = decodeEvents(events, MAX_BODY);
  const stats = decoder.stats();
  for (const key of Object.keys(totals) as (keyof DecodeStats)[]) totals[key] += stats[key];
  const undecoded = records.filter((r) => r.kind === 'undecoded');
  expect(stats.connections).toBe(new Set(events.map((e) => e.connId)).size);
  expect(stats.exchanges).toBe(exchanges.length);
  expect(stats.llmCalls).toBe(exchanges.filter((e) => e.llm).length);
  expect(stats.http2Connections).toBe(undecoded.filter((r) => r.reason === 'http2').length);
  const recordedGapBytes =
    exchanges.reduce((sum, e) => sum + e.gaps.reduce((s, g) => s + g.length, 0), 0) +
    undecoded.filter((r) => r.reason === 'gap').reduce((sum, r) => sum + r.bytes, 0);
  expect(recordedGapBytes).toBeLessThanOrEqual(stats.gapBytes);
  for (const value of Object.values(stats)) expect(value).toBeGreaterThanOrEqual(0);
  for (const exchange of exchanges) {
    expect(exchange.request.body.length).toBeLessThanOrEqual(MAX_BODY);
    for (const gap of exchange.gaps) expect(gap.length).toBeGreaterThan(0);
  }
}

const emptyTotals = (): Totals => ({
  connections: 0,
  exchanges: 0,
  llmCalls: 0,
  http2Connections: 0,
  parseErrors: 0,
  gapBytes: 0,
  droppedBytes: 0,
});

describe('fuzz (fixed seed)', () => {
  it('never throws and keeps stats consistent on mutated valid captures', () => {
    const random = createPrng(20261123);
    const totals = emptyTotals();
    for (let i = 0; i < 1500; i++) {
      const capture = generateSyntheticCapture({
        seed: i,
        connections: 2,
        exchangesPerConnection: 3,
        responseBytes: 300,
        maxChunkBytes: 200,
      });
      checkInvariants(mutate(capture.events, random), totals);
    }
    // The mutations must actually reach the error paths, or this test proves nothing.
    expect(totals).toMatchObject({
      exchanges: expect.any(Number),
      llmCalls: expect.any(Number),
    });
    expect(totals.llmCalls).toBeGreaterThan(1000);
    expect(totals.parseErrors).toBeGreaterThan(100);
    expect(totals.gapBytes).toBeGreaterThan(0);
    expect(totals.droppedBytes).toBeGreaterThan(0);
  });

  it('never throws and keeps stats consistent on random and HTTP-token soup', () => {
    const random = createPrng(42);
    const totals = emptyTotals();
    for (let i = 0; i < 2500; i++) checkInvariants(randomEvents(random), totals);
    expect(totals.exchanges).toBeGreaterThan(100);
    expect(totals.http2Connections).toBeGreaterThan(10);
    expect(totals.parseErrors).toBeGreaterThan(100);
  });
});
