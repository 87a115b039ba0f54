import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsDataEvent } from '../../src/capture/events.js';
import { createPrng, eventsFromTranscript, generateSyntheticCapture } from '../../src/decode/synthetic.js';
import {
  decodeEvents,
  recordConversation,
  startRecordingProxy,
  startServer,
  type TestServer,
} from './wire.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer((req, body, res) => {
    res.end(`${req.url} ${body.toString()}`);
  });
});
afterAll(() => server.close());

/** Merges per-connection event lists in a random order that keeps each list's own order. */
function interleave(lists: TlsDataEvent[][], random: () => number): TlsDataEvent[] {
  const cursors = lists.map(() => 0);
  const merged: TlsDataEvent[] = [];
  const total = lists.reduce((sum, list) => sum + list.length, 0);
  while (merged.length < total) {
    const i = Math.floor(random() * lists.length);
    if (cursors[i] < lists[i].length) merged.push(lists[i][cursors[i]++]);
  }
  return merged;
}

describe('many connections', () => {
  it('pairs 50 concurrent connections interleaved in one event sequence, all on one pid/tid', async () => {
    const transcripts = await Promise.all(
      Array.from({ length: 50 }, (_, c) =>
        recordConversation(server.port, [
          { write: `POST /c${c}/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nr1` },
          { write: `POST /c${c}/2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nr2` },
          { waitFor: `/c${c}/2 r2` },
          { write: `GET /c${c}/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n` },
        ]),
      ),
    );
    const random = createPrng(5);
    const lists = transcripts.map((transcript, c) =>
      eventsFromTranscript(`100:1:${c}`, transcript, { random, maxChunk: 20, pid: 100 }),
    );
    const { exchanges, decoder } = decodeEvents(interleave(lists, random));
    expect(exchanges).toHaveLength(150);
    for (const exchange of exchanges) {
      const body = exchange.request.body.toString();
      expect(exchange.response?.body.toString()).toBe(`${exchange.request.target} ${body}`);
      expect(exchange.connId).toBe(`100:1:${exchange.request.target.split('/')[1].slice(1)}`);
    }
    expect(decoder.stats()).toMatchObject({ connections: 50, exchanges: 150, parseErrors: 0, gapBytes: 0 });
  });

  it('decodes synthetic LLM traffic from many interleaved connections', () => {
    const capture = generateSyntheticCapture({
      seed: 9,
      connections: 20,
      exchangesPerConnection: 5,
      responseBytes: 3000,
    });
    const { exchanges, decoder } = decodeEvents(capture.events);
    expect(exchanges).toHaveLength(capture.exchanges);
    expect(exchanges.filter((e) => e.llm)).toHaveLength(capture.llmCalls);
    expect(exchanges.every((e) => !e.problem && e.response?.complete)).toBe(true);
    expect(decoder.stats()).toMatchObject({
      exchanges: capture.exchanges,
      llmCalls: capture.llmCalls,
      droppedBytes: 0,
    });
  });
});

describe('connections that are not HTTP/1', () => {
  it('counts a real HTTP/2 connection once and ignores its frames', async () => {
    const h2 = http2.createServer();
    h2.on('stream', (stream) => {
      stream.respond({ ':status': 200 });
      stream.end('h2 body');
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const proxy = await startRecordingProxy((h2.address() as AddressInfo).port);
    const client = http2.connect(`http://127.0.0.1:${proxy.port}`);
    await new Promise<void>((resolve, reject) => {
      const request = client.request({ ':path': '/' });
      request.on('error', reject);
      request.resume();
      request.on('end', resolve);
      request.end();
    });
    client.close();
    await proxy.close();
    await new Promise((resolve) => h2.close(resolve));

    const [transcript] = proxy.transcripts;
    const bytes = transcript.reduce((sum, part) => sum + part.data.length, 0);
    const { records, decoder } = decodeEvents(eventsFromTranscript('8:1:h2', transcript, { maxChunk: 7 }));
    expect(records).toEqual([
      {
        kind: 'undecoded',
        connId: '8:1:h2',
        pid: 8,
        comm: 'node',
        reason: 'http2',
        bytes,
        tsNs: expect.any(BigInt),
      },
    ]);
    expect(decoder.stats()).toMatchObject({
      connections: 1,
      http2Connections: 1,
      exchanges: 0,
      droppedBytes: bytes,
    });
  });

  it('reports junk as not-http', () => {
    const junk = [
      { direction: 'write' as const, data: Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00]) },
    ];
    const { records, decoder } = decodeEvents(eventsFromTranscript('9:1:j', junk));
    expect(records).toMatchObject([{ kind: 'undecoded', reason: 'not-http', bytes: 7 }]);
    expect(decoder.stats()).toMatchObject({ parseErrors: 1, http2Connections: 0, exchanges: 0 });
  });
});
