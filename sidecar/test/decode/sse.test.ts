import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTranscript, recordConversation, startServer, summarize, type TestServer } from './wire.js';

let server: TestServer;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  server = await startServer(async (req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    switch (req.url) {
      case '/first-with-headers':
        // Node sends the head together with the first write: one read on the client.
        res.write('event: start\ndata: first\n\n');
        await pause(30);
        res.write('data: second\n\n');
        res.end();
        return;
      case '/line-endings':
        res.write(': a comment\r\nevent: a\r\nid: 1\r\ndata: crlf\r\n\r\n');
        res.write('data: cr\r\rdata: line one\ndata: line two\n\n');
        res.write('data:no-space\nretry: 10\n\nevent: b\ndata\n\n');
        res.end();
        return;
      case '/truncated':
        res.write('data: {"n":1}\n\ndata: {"n":2}\n\n');
        await pause(20);
        res.write('data: {"n":3, "cut');
        await pause(20);
        res.socket?.destroy();
        return;
    }
  });
});

afterAll(() => server.close());

const get = (path: string) => ({ write: `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n` });

describe('server-sent events', () => {
  it('keeps the first event that arrives in the same read as the response headers', async () => {
    const transcript = await recordConversation(server.port, [get('/first-with-headers')]);
    const firstRead = transcript.find((part) => part.direction === 'read')!.data.toString();
    expect(firstRead).toContain('HTTP/1.1 200 OK');
    expect(firstRead).toContain('data: first');
    const [exchange] = decodeTranscript(transcript).exchanges;
    expect(exchange.response?.sse).toEqual([{ event: 'start', data: 'first' }, { data: 'second' }]);
    expect(exchange.response?.complete).toBe(true);
    expect(exchange.problem).toBeUndefined();
  });

  it('handles CRLF, CR and LF line ends, comments, multi-line data, id and event fields', async () => {
    const transcript = await recordConversation(server.port, [get('/line-endings')]);
    const [exchange] = decodeTranscript(transcript).exchanges;
    expect(exchange.response?.sse).toEqual([
      { event: 'a', id: '1', data: 'crlf' },
      { data: 'cr' },
      { data: 'line one\nline two' },
      { data: 'no-space' },
      { event: 'b', data: '' },
    ]);
  });

  it('gives the same messages for every byte boundary', async () => {
    for (const path of ['/first-with-headers', '/line-endings']) {
      const transcript = await recordConversation(server.port, [get(path)]);
      const whole = summarize(decodeTranscript(transcript).exchanges);
      expect(summarize(decodeTranscript(transcript, { chunkSize: 1 }).exchanges)).toEqual(whole);
    }
  });

  it('keeps the complete events of a stream cut mid-event and says so', async () => {
    const transcript = await recordConversation(server.port, [get('/truncated')]);
    const [exchange] = decodeTranscript(transcript).exchanges;
    expect(exchange.response?.sse).toEqual([{ data: '{"n":1}' }, { data: '{"n":2}' }]);
    expect(exchange.response?.complete).toBe(false);
    expect(exchange.problem).toContain('connection closed before the message ended');
    expect(exchange.problem).toContain('event stream ended inside an event');
  });
});
