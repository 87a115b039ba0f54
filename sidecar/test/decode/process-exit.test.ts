import { describe, expect, it } from 'vitest';
import { type DecodedRecord, TlsStreamDecoder } from '../../src/decode/index.js';
import { eventsFromTranscript } from '../../src/decode/synthetic.js';

// A response that ends only when the connection closes: nothing is emitted until it does.
const REQUEST = Buffer.from('GET /stream HTTP/1.1\r\nhost: example.test\r\n\r\n');
const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\npartial body');

function openConnection(connId: string) {
  return eventsFromTranscript(connId, [
    { direction: 'write', data: REQUEST },
    { direction: 'read', data: RESPONSE },
  ]);
}

describe('TlsStreamDecoder.closeProcess', () => {
  it("flushes only the exiting process's connections", () => {
    const records: DecodedRecord[] = [];
    const decoder = new TlsStreamDecoder({ onRecord: (record) => records.push(record) });
    for (const event of [
      ...openConnection('42:1000:7f00aa'),
      ...openConnection('42:1000:7f00bb'),
      ...openConnection('421:2000:7f00aa'),
    ])
      decoder.push(event);
    expect(records).toHaveLength(0);

    decoder.closeProcess(42, 5n);
    expect(records.map((r) => r.connId).sort()).toEqual(['42:1000:7f00aa', '42:1000:7f00bb']);
    const [first] = records;
    expect(first.kind === 'http' && first.response?.body.toString()).toBe('partial body');

    decoder.closeProcess(42, 6n);
    expect(records).toHaveLength(2);
    decoder.flushAll(7n);
    expect(records.map((r) => r.connId)).toContain('421:2000:7f00aa');
  });
});
