import { describe, expect, it } from 'vitest';
import { eventsFromTranscript } from '../../src/decode/synthetic.js';
import { decodeEvents } from './wire.js';

describe('connections the traced process accepted (it is the server)', () => {
  it('reads requests and writes responses: pairs them the other way round, marked inbound', () => {
    const transcript = [
      {
        direction: 'read' as const,
        data: Buffer.from('POST /v1/run?x=1 HTTP/1.1\r\nhost: agent\r\ncontent-length: 5\r\n\r\nhello'),
      },
      {
        direction: 'write' as const,
        data: Buffer.from('HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok'),
      },
      { direction: 'read' as const, data: Buffer.from('GET /health HTTP/1.1\r\nhost: agent\r\n\r\n') },
      { direction: 'write' as const, data: Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n') },
    ];
    const { exchanges } = decodeEvents(eventsFromTranscript('9:1:abc', transcript));
    expect(exchanges.map((x) => [x.inbound, x.request.method, x.request.target, x.response?.status])).toEqual(
      [
        [true, 'POST', '/v1/run?x=1', 201],
        [true, 'GET', '/health', 200],
      ],
    );
    expect(exchanges[0].request.body.toString()).toBe('hello');
    expect(exchanges[0].response?.body.toString()).toBe('ok');
  });

  it('keeps a client connection whose capture starts with a response (attached mid-connection) outbound', () => {
    const transcript = [
      { direction: 'read' as const, data: Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi') },
      { direction: 'write' as const, data: Buffer.from('GET /next HTTP/1.1\r\nhost: api\r\n\r\n') },
      { direction: 'read' as const, data: Buffer.from('HTTP/1.1 204 No Content\r\n\r\n') },
    ];
    const { exchanges } = decodeEvents(eventsFromTranscript('9:1:def', transcript));
    expect(exchanges.some((x) => x.request.target === '/next')).toBe(true);
    expect(exchanges.every((x) => x.inbound === undefined)).toBe(true);
  });
});
