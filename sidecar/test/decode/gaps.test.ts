import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsDataEvent } from '../../src/capture/events.js';
import { eventsFromTranscript } from '../../src/decode/synthetic.js';
import { decodeEvents, recordConversation, startServer, type TestServer } from './wire.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer((req, body, res) => {
    if (req.url === '/chunked') {
      res.write('a'.repeat(300));
      res.end('b'.repeat(300));
      return;
    }
    res.setHeader('content-type', 'text/plain');
    res.end(`${req.url} ${body.toString()}`);
  });
});
afterAll(() => server.close());

const get = (path: string, close = false) => ({
  write: `GET ${path} HTTP/1.1\r\nHost: x\r\n${close ? 'Connection: close\r\n' : ''}\r\n`,
});

/** Three keep-alive exchanges, each response read before the next request is written. */
async function threeExchanges(middle: string): Promise<TlsDataEvent[]> {
  const transcript = await recordConversation(server.port, [
    get('/one'),
    { waitFor: '/one' },
    get(middle),
    { waitFor: middle === '/chunked' ? '\r\n0\r\n\r\n' : middle },
    get('/three', true),
  ]);
  return eventsFromTranscript('5:1:g', transcript, { chunkSize: 64 });
}

/** Removes `count` events of `direction` starting at its `index`-th event; returns the bytes removed. */
function dropEvents(
  events: TlsDataEvent[],
  direction: 'write' | 'read',
  index: number,
  count: number,
): number {
  const ofDirection = events.filter((event) => event.direction === direction);
  const removed = ofDirection.slice(index, index + count);
  for (const event of removed) events.splice(events.indexOf(event), 1);
  return removed.reduce((sum, event) => sum + event.data.length, 0);
}

function readIndexOf(events: TlsDataEvent[], needle: string): number {
  return events
    .filter((e) => e.direction === 'read')
    .findIndex((e) => e.data.toString('latin1').includes(needle));
}

describe('capture gaps', () => {
  it('records the exact gap inside a chunked body, then re-syncs on the next response', async () => {
    const events = await threeExchanges('/chunked');
    const start = readIndexOf(events, 'aaaa') + 1;
    const length = dropEvents(events, 'read', start, 3);
    const { exchanges, decoder } = decodeEvents(events);
    expect(exchanges.map((e) => e.request.target)).toEqual(['/one', '/chunked', '/three']);
    expect(exchanges[1].gaps).toEqual([{ direction: 'read', offset: expect.any(Number), length }]);
    expect(exchanges[1].response?.complete).toBe(false);
    expect(exchanges[1].problem).toContain('capture gap inside chunked body');
    expect(exchanges[2].response?.body.toString()).toBe('/three ');
    expect(exchanges[2].problem).toBeUndefined();
    expect(decoder.stats().gapBytes).toBe(length);
  });

  it('keeps content-length framing across a gap inside the body (no re-sync needed)', () => {
    const body = 'x'.repeat(200);
    const transcript = [
      { direction: 'write' as const, data: Buffer.from('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n') },
      {
        direction: 'read' as const,
        data: Buffer.from(
          `HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n${body}HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`,
        ),
      },
    ];
    const events = eventsFromTranscript('1:1:c', transcript, { chunkSize: 50 });
    const length = dropEvents(events, 'read', 2, 1);
    const { exchanges, decoder } = decodeEvents(events);
    expect(exchanges[0].response?.body.length).toBe(200 - length);
    expect(exchanges[0].gaps).toEqual([{ direction: 'read', offset: 100, length: 50 }]);
    expect(exchanges[1].response?.body.toString()).toBe('ok');
    expect(decoder.stats()).toMatchObject({ gapBytes: 50, droppedBytes: 0, parseErrors: 0 });
  });

  it('keeps pairing when a whole request or a whole response head is lost', async () => {
    const lostRequest = await threeExchanges('/two');
    dropEvents(lostRequest, 'write', 1, 1);
    let { exchanges } = decodeEvents(lostRequest);
    expect(exchanges.map((e) => [e.request.target, e.response?.body.toString()])).toEqual([
      ['/one', '/one '],
      ['', '/two '],
      ['/three', '/three '],
    ]);
    expect(exchanges[1].problem).toContain('request head lost in a capture gap');

    const lostResponse = await threeExchanges('/two');
    dropEvents(lostResponse, 'read', readIndexOf(lostResponse, '/two'), 1);
    ({ exchanges } = decodeEvents(lostResponse));
    expect(exchanges.map((e) => [e.request.target, e.response?.body.toString()])).toEqual([
      ['/one', '/one '],
      ['/two', undefined],
      ['/three', '/three '],
    ]);
    expect(exchanges[1].problem).toContain('response head lost in a capture gap');
  });

  it('treats a truncated chunk as a known hole and does not wait for the missing bytes', () => {
    const transcript = [
      { direction: 'write' as const, data: Buffer.from('POST /u HTTP/1.1\r\nContent-Length: 100\r\n\r\n') },
    ];
    const [head] = eventsFromTranscript('2:1:t', transcript);
    const body: TlsDataEvent = {
      ...head,
      offset: head.data.length,
      data: Buffer.alloc(40, 0x61),
      callLength: 100,
      truncated: true,
    };
    const next: TlsDataEvent = {
      ...head,
      offset: head.data.length + 100,
      data: Buffer.from('GET /next HTTP/1.1\r\n\r\n'),
      callLength: 22,
    };
    const response: TlsDataEvent = {
      ...head,
      direction: 'read',
      offset: 0,
      data: Buffer.from(
        'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!',
      ),
    };
    const { exchanges, decoder } = decodeEvents([head, body, next, response]);
    expect(exchanges.map((e) => e.request.target)).toEqual(['/u', '/next']);
    expect(exchanges[0].request.body.length).toBe(40);
    expect(exchanges[0].request.complete).toBe(false);
    expect(exchanges[0].gaps).toEqual([{ direction: 'write', offset: head.data.length + 40, length: 60 }]);
    expect(exchanges[1].response?.body.toString()).toBe('!');
    expect(decoder.stats().gapBytes).toBe(60);
  });

  it('counts duplicated bytes once', () => {
    const transcript = [
      { direction: 'write' as const, data: Buffer.from('GET /d HTTP/1.1\r\n\r\n') },
      { direction: 'read' as const, data: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello') },
    ];
    const events = eventsFromTranscript('3:1:d', transcript, { chunkSize: 10 });
    const withDuplicates = events.flatMap((event) => [event, { ...event }]);
    const { exchanges, decoder } = decodeEvents(withDuplicates);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].response?.body.toString()).toBe('hello');
    expect(decoder.stats().droppedBytes).toBe(transcript[0].data.length + transcript[1].data.length);
  });
});
