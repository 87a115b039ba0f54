import { describe, expect, it } from 'vitest';
import type { TlsHandshakeEvent } from '../../src/capture/events.js';
import { TlsStreamDecoder } from '../../src/decode/decoder.js';
import { eventsFromTranscript } from '../../src/decode/synthetic.js';
import type { DecodedRecord, HttpExchange } from '../../src/decode/types.js';

const T0 = 1_700_000_000_000_000_000n;
const exchangeBytes = (i: number) => [
  { direction: 'write' as const, data: Buffer.from(`GET /${i} HTTP/1.1\r\nhost: x\r\n\r\n`) },
  { direction: 'read' as const, data: Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok') },
];

function handshake(connId: string, result: TlsHandshakeEvent['result']): TlsHandshakeEvent {
  return {
    kind: 'tls_handshake',
    pid: 7,
    tid: 7,
    ppid: 1,
    comm: 'node',
    connId,
    tsNs: T0 - 3_000_000n,
    endNs: T0 - 1_000_000n,
    result,
  };
}

function decode(handshakes: TlsHandshakeEvent[], connId = '7:1:abc'): HttpExchange[] {
  const records: DecodedRecord[] = [];
  const decoder = new TlsStreamDecoder({ onRecord: (record) => records.push(record) });
  for (const hs of handshakes) decoder.handshake(hs);
  for (const event of eventsFromTranscript(connId, [...exchangeBytes(1), ...exchangeBytes(2)], {
    startNs: T0,
  })) {
    decoder.push(event);
  }
  decoder.flushAll(T0 + 1_000_000_000n);
  return records.filter((r): r is HttpExchange => r.kind === 'http');
}

describe('TLS handshake timing on exchanges', () => {
  it('puts a completed handshake on the first exchange of its connection only', () => {
    const [first, second] = decode([handshake('7:1:abc', 'done')]);
    expect(first.timings.tlsHandshakeStartNs).toBe(T0 - 3_000_000n);
    expect(first.timings.tlsHandshakeEndNs).toBe(T0 - 1_000_000n);
    expect(second.timings.tlsHandshakeStartNs).toBeUndefined();
  });

  it('ignores handshakes of other connections and ones that did not complete', () => {
    for (const exchanges of [
      decode([handshake('7:1:other', 'done')]),
      decode([handshake('7:1:abc', 'incomplete')]),
    ]) {
      expect(exchanges).toHaveLength(2);
      expect(exchanges.every((x) => x.timings.tlsHandshakeStartNs === undefined)).toBe(true);
    }
  });
});
