import { describe, expect, it } from 'vitest';
import { TlsStreamDecoder } from '../../src/decode/decoder.js';
import { eventsFromTranscript } from '../../src/decode/synthetic.js';
import type { DecodedRecord, HttpExchange } from '../../src/decode/types.js';

const request = (i: number): Buffer =>
  Buffer.from(`POST /upload/${i} HTTP/1.1\r\nhost: x\r\ncontent-length: 1024\r\n\r\n${'x'.repeat(1024)}`);

describe('unpaired requests on one connection (responses lost)', () => {
  it('keeps at most 32 waiting, emitting the oldest early as unanswered, and loses none', () => {
    const records: DecodedRecord[] = [];
    const decoder = new TlsStreamDecoder({ onRecord: (record) => records.push(record) });
    const transcript = Array.from({ length: 40 }, (_, i) => ({
      direction: 'write' as const,
      data: request(i),
    }));
    for (const event of eventsFromTranscript('7:1:abc', transcript)) decoder.push(event);

    // 40 requests, no response: the 8 oldest were given up on while the connection is still open.
    const early = records.filter((r): r is HttpExchange => r.kind === 'http');
    expect(early.map((e) => e.request.target)).toEqual(Array.from({ length: 8 }, (_, i) => `/upload/${i}`));
    for (const exchange of early) {
      expect(exchange.response).toBeUndefined();
      expect(exchange.problem).toContain('no response captured');
      expect(exchange.request.body.length).toBe(1024);
    }

    decoder.flushAll(2_000_000_000_000_000_000n);
    const all = records.filter((r): r is HttpExchange => r.kind === 'http');
    expect(all.map((e) => e.request.target)).toEqual(Array.from({ length: 40 }, (_, i) => `/upload/${i}`));
  });
});
