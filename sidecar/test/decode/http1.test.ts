import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrng, eventsFromTranscript } from '../../src/decode/synthetic.js';
import {
  coalesce,
  decodeEvents,
  decodeTranscript,
  recordConversation,
  startServer,
  summarize,
  type TestServer,
} from './wire.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/echo':
        res.setHeader('content-type', 'text/plain');
        res.end(`${req.method} ${url.pathname} ${body.toString()}`);
        return;
      case '/chunked':
        res.setHeader('content-type', 'text/plain');
        res.setHeader('trailer', 'x-checksum');
        res.write('first part, ');
        res.write('second part');
        res.addTrailers({ 'x-checksum': 'abc123' });
        res.end();
        return;
      case '/gzip':
        res.setHeader('content-encoding', 'gzip');
        res.end(zlib.gzipSync(Buffer.from('hello gzip '.repeat(200))));
        return;
      case '/br':
        res.setHeader('content-encoding', 'br');
        res.end(zlib.brotliCompressSync(Buffer.from('hello brotli '.repeat(200))));
        return;
      case '/deflate':
        res.setHeader('content-encoding', 'deflate');
        res.end(zlib.deflateSync(Buffer.from('hello deflate '.repeat(200))));
        return;
      case '/raw-deflate':
        res.setHeader('content-encoding', 'deflate');
        res.end(zlib.deflateRawSync(Buffer.from('hello raw deflate')));
        return;
      case '/corrupt-gzip':
        res.setHeader('content-encoding', 'gzip');
        res.end(Buffer.from('definitely not gzip'));
        return;
      case '/no-content':
        res.statusCode = 204;
        res.end();
        return;
      case '/not-modified':
        res.statusCode = 304;
        res.setHeader('etag', '"v1"');
        res.end();
        return;
      case '/head':
        res.setHeader('content-type', 'text/plain');
        res.setHeader('content-length', '11');
        res.end(req.method === 'HEAD' ? undefined : 'hello world');
        return;
      default:
        res.statusCode = 404;
        res.end('not found');
    }
  });
});

afterAll(() => server.close());

const get = (path: string, close = false) =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
const post = (path: string, body: string, close = false) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${close ? 'Connection: close\r\n' : ''}\r\n${body}`;

describe('HTTP/1.1 framing from real wire bytes', () => {
  it('decodes a content-length exchange with timings in order', async () => {
    const transcript = await recordConversation(server.port, [{ write: post('/echo', 'ping', true) }]);
    const { exchanges, decoder } = decodeTranscript(transcript);
    expect(exchanges).toHaveLength(1);
    const [exchange] = exchanges;
    expect(exchange.request).toMatchObject({
      method: 'POST',
      target: '/echo',
      httpVersion: '1.1',
      complete: true,
    });
    expect(exchange.request.body.toString()).toBe('ping');
    expect(exchange.response?.status).toBe(200);
    expect(exchange.response?.body.toString()).toBe('POST /echo ping');
    expect(exchange.response?.headers['content-type']).toBe('text/plain');
    expect(exchange.problem).toBeUndefined();
    const t = exchange.timings;
    expect(t.requestStartNs <= t.requestEndNs).toBe(true);
    expect(t.requestEndNs < t.responseStartNs!).toBe(true);
    expect(t.responseStartNs! <= t.responseEndNs!).toBe(true);
    expect(decoder.stats()).toMatchObject({ connections: 1, exchanges: 1, llmCalls: 0, parseErrors: 0 });
  });

  it('decodes chunked bodies with trailers', async () => {
    const transcript = await recordConversation(server.port, [{ write: get('/chunked', true) }]);
    const wire = Buffer.concat(
      transcript.filter((p) => p.direction === 'read').map((p) => p.data),
    ).toString();
    expect(wire.toLowerCase()).toContain('transfer-encoding: chunked');
    const [exchange] = decodeTranscript(transcript).exchanges;
    expect(exchange.response?.body.toString()).toBe('first part, second part');
    expect(exchange.response?.complete).toBe(true);
    expect(exchange.response?.headers['x-checksum']).toBe('abc123');
  });

  it('pairs three pipelined requests sent in one write by order', async () => {
    const transcript = await recordConversation(server.port, [
      { write: post('/echo', 'one') + get('/head') + post('/echo', 'three', true) },
    ]);
    expect(transcript.filter((p) => p.direction === 'write')).toHaveLength(1);
    const { exchanges } = decodeTranscript(transcript);
    expect(exchanges.map((e) => [e.request.target, e.response?.body.toString()])).toEqual([
      ['/echo', 'POST /echo one'],
      ['/head', 'hello world'],
      ['/echo', 'POST /echo three'],
    ]);
  });

  it('decodes many keep-alive exchanges on one connection', async () => {
    const steps = Array.from({ length: 25 }, (_, i) => [
      { write: post('/echo', `n${i}`, i === 24) },
      { waitFor: `POST /echo n${i}` },
    ]).flat();
    const { exchanges } = decodeTranscript(await recordConversation(server.port, steps));
    expect(exchanges).toHaveLength(25);
    exchanges.forEach((exchange, i) => {
      expect(exchange.request.body.toString()).toBe(`n${i}`);
      expect(exchange.response?.body.toString()).toBe(`POST /echo n${i}`);
    });
  });

  it('undoes gzip, br and deflate content encoding, and keeps a corrupt body raw with a problem', async () => {
    const transcript = await recordConversation(server.port, [
      {
        write: get('/gzip') + get('/br') + get('/deflate') + get('/raw-deflate') + get('/corrupt-gzip', true),
      },
    ]);
    const { exchanges, decoder } = decodeTranscript(transcript);
    expect(exchanges.map((e) => e.response?.body.toString())).toEqual([
      'hello gzip '.repeat(200),
      'hello brotli '.repeat(200),
      'hello deflate '.repeat(200),
      'hello raw deflate',
      'definitely not gzip',
    ]);
    expect(exchanges.slice(0, 4).every((e) => e.problem === undefined)).toBe(true);
    expect(exchanges[4].problem).toMatch(/content-encoding gzip could not be decoded/);
    expect(decoder.stats().parseErrors).toBe(1);
  });

  it('skips a 100 Continue interim response', async () => {
    const head =
      'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n';
    const transcript = await recordConversation(server.port, [
      { write: head },
      { waitFor: '100 Continue' },
      { write: 'hello' },
    ]);
    const { exchanges } = decodeTranscript(transcript);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].response?.status).toBe(200);
    expect(exchanges[0].response?.body.toString()).toBe('POST /echo hello');
  });

  it('knows HEAD, 204 and 304 responses have no body', async () => {
    const transcript = await recordConversation(server.port, [
      {
        write:
          'HEAD /head HTTP/1.1\r\nHost: x\r\n\r\n' +
          get('/no-content') +
          get('/not-modified') +
          get('/head', true),
      },
    ]);
    const { exchanges } = decodeTranscript(transcript);
    expect(exchanges.map((e) => [e.request.method, e.response?.status, e.response?.body.length])).toEqual([
      ['HEAD', 200, 0],
      ['GET', 204, 0],
      ['GET', 304, 0],
      ['GET', 200, 11],
    ]);
    expect(exchanges.every((e) => e.response?.complete && !e.problem)).toBe(true);
  });

  it('gives the same result for every split of the bytes, and for out-of-order chunks', async () => {
    const transcript = await recordConversation(server.port, [
      { write: post('/echo', 'split me') + get('/chunked') + get('/gzip', true) },
    ]);
    const whole = summarize(decodeTranscript(coalesce(transcript)).exchanges);
    expect(whole).toHaveLength(3);
    expect(summarize(decodeTranscript(transcript, { chunkSize: 1 }).exchanges)).toEqual(whole);
    const random = createPrng(11);
    for (let i = 0; i < 20; i++) {
      expect(summarize(decodeTranscript(transcript, { random, maxChunk: 40 }).exchanges)).toEqual(whole);
    }
    // Swap neighbouring chunks: the reassembler must put them back in order.
    const events = eventsFromTranscript('7:1:a', transcript, { chunkSize: 16 });
    for (let i = 0; i + 1 < events.length; i += 3) [events[i], events[i + 1]] = [events[i + 1], events[i]];
    expect(summarize(decodeEvents(events).exchanges)).toEqual(whole);
  });

  it('finishes a read-until-close body when the connection closes', () => {
    const transcript = [
      { direction: 'write' as const, data: Buffer.from('GET /stream HTTP/1.0\r\nHost: x\r\n\r\n') },
      {
        direction: 'read' as const,
        data: Buffer.from('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil '),
      },
      { direction: 'read' as const, data: Buffer.from('close') },
    ];
    const [exchange] = decodeTranscript(transcript).exchanges;
    expect(exchange.response?.body.toString()).toBe('until close');
    expect(exchange.response?.complete).toBe(true);
    expect(exchange.problem).toBeUndefined();
  });

  it('tolerates bare LF and mixed-case header names, and joins repeated headers', () => {
    const transcript = [
      {
        direction: 'write' as const,
        data: Buffer.from('GET /a HTTP/1.1\nHOST: x\nAccept: a\naccept: b\n\n'),
      },
      {
        direction: 'read' as const,
        data: Buffer.from('HTTP/1.1 200 OK\nContent-LENGTH: 2\nSet-Cookie: a=1\nset-cookie: b=2\n\nok'),
      },
    ];
    const [exchange] = decodeTranscript(transcript).exchanges;
    expect(exchange.request.headers).toEqual({ host: 'x', accept: 'a, b' });
    expect(exchange.response?.headers['set-cookie']).toBe('a=1\nb=2');
    expect(exchange.response?.body.toString()).toBe('ok');
  });

  it('rejects obs-fold cleanly and decodes the next exchange', () => {
    const transcript = [
      {
        direction: 'write' as const,
        data: Buffer.from(
          'GET /folded HTTP/1.1\r\nX-A: one\r\n two\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n',
        ),
      },
      { direction: 'read' as const, data: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext') },
    ];
    const { exchanges, decoder } = decodeTranscript(transcript);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].request.target).toBe('/next');
    expect(exchanges[0].response?.body.toString()).toBe('next');
    expect(decoder.stats().parseErrors).toBe(1);
    expect(decoder.stats().droppedBytes).toBeGreaterThan(0);
  });

  it('keeps at most maxBodyBytes of a body, counting the rest', async () => {
    const body = 'x'.repeat(5000);
    const transcript = await recordConversation(server.port, [{ write: post('/echo', body, true) }]);
    const events = eventsFromTranscript('1:1:a', transcript, { chunkSize: 700 });
    const { exchanges, decoder } = decodeEvents(events, 1000);
    expect(exchanges[0].request.body.length).toBe(1000);
    expect(exchanges[0].problem).toMatch(/request body exceeded maxBodyBytes: kept 1000 of 5000 bytes/);
    expect(decoder.stats().droppedBytes).toBe(4000 + (5000 + 'POST /echo '.length - 1000));
  });

  it('emits a request without response, with a problem, when the connection closes', () => {
    const { exchanges } = decodeTranscript([{ direction: 'write', data: Buffer.from(get('/pending')) }]);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].response).toBeUndefined();
    expect(exchanges[0].problem).toBe('no response captured');
  });

  it('stops decoding a connection after 101 Switching Protocols, counting the rest', () => {
    const frames = Buffer.from([0x81, 0x85, 1, 2, 3, 4, 0x69, 0x67, 0x6f, 0x68, 0x6e]);
    const transcript = [
      {
        direction: 'write' as const,
        data: Buffer.from('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
      },
      {
        direction: 'read' as const,
        data: Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'),
      },
      { direction: 'write' as const, data: frames },
      { direction: 'read' as const, data: Buffer.from([0x81, 0x02, 0x68, 0x69]) },
    ];
    const { exchanges, decoder } = decodeTranscript(transcript);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].response?.status).toBe(101);
    expect(exchanges[0].problem).toBeUndefined();
    expect(decoder.stats()).toMatchObject({ parseErrors: 0, droppedBytes: frames.length + 4 });
  });

  it('undoes a gzip transfer coding under chunked framing', () => {
    const gz = zlib.gzipSync(Buffer.from('transfer-coded'));
    const transcript = [
      { direction: 'write' as const, data: Buffer.from('GET /t HTTP/1.1\r\nHost: x\r\nTE: gzip\r\n\r\n') },
      {
        direction: 'read' as const,
        data: Buffer.concat([
          Buffer.from(
            `HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${gz.length.toString(16)}\r\n`,
          ),
          gz,
          Buffer.from('\r\n0\r\n\r\n'),
        ]),
      },
    ];
    const [exchange] = decodeTranscript(transcript).exchanges;
    expect(exchange.response?.body.toString()).toBe('transfer-coded');
    expect(exchange.problem).toBeUndefined();
  });
});
