/**
 * Real wire bytes for decoder tests: a local Node `http` server, a raw `net` client that records
 * what it writes and reads, and a recording TCP proxy for real HTTP clients (openai SDK, fetch).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { TlsDataEvent } from '../../src/capture/events.js';
import { type DecodedRecord, type HttpExchange, TlsStreamDecoder } from '../../src/decode/index.js';
import { eventsFromTranscript, type SplitOptions, type TranscriptPart } from '../../src/decode/synthetic.js';

export type Handler = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void;

export interface TestServer {
  port: number;
  close(): Promise<void>;
}

/** A Node http server whose handler sees the whole request body. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => handler(req, Buffer.concat(parts), res));
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A step of a raw client conversation: send bytes, or wait until the bytes read so far contain a text. */
export type ClientStep = { write: string | Buffer } | { waitFor: string };

/**
 * Runs a raw client conversation and returns the transcript as it crossed the socket (each write and
 * each `data` event in order). Ends when the server closes the connection, so the last request should
 * carry `Connection: close`.
 */
export async function recordConversation(port: number, steps: ClientStep[]): Promise<TranscriptPart[]> {
  const transcript: TranscriptPart[] = [];
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  let ended = false;
  let notify: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    transcript.push({ direction: 'read', data: chunk });
    received += chunk.toString('latin1');
    notify?.();
  });
  const closed = new Promise<void>((resolve, reject) => {
    socket.on('close', () => {
      ended = true;
      notify?.();
      resolve();
    });
    socket.on('error', reject);
  });
  await new Promise<void>((resolve) => socket.on('connect', resolve));
  for (const step of steps) {
    if ('write' in step) {
      const data = Buffer.from(step.write);
      transcript.push({ direction: 'write', data });
      socket.write(data);
    } else {
      while (!received.includes(step.waitFor)) {
        if (ended) throw new Error(`connection closed before "${step.waitFor}" arrived: ${received}`);
        await new Promise<void>((resolve) => {
          notify = resolve;
        });
      }
    }
  }
  await closed;
  return transcript;
}

export interface RecordingProxy {
  port: number;
  /** One transcript per client connection, in accept order. */
  transcripts: TranscriptPart[][];
  close(): Promise<void>;
}

/** Forwards TCP to `upstreamPort`, recording client→server bytes as `write` and server→client as `read`. */
export async function startRecordingProxy(upstreamPort: number): Promise<RecordingProxy> {
  const transcripts: TranscriptPart[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const transcript: TranscriptPart[] = [];
    transcripts.push(transcript);
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => {
      transcript.push({ direction: 'write', data: Buffer.from(chunk) });
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      transcript.push({ direction: 'read', data: Buffer.from(chunk) });
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    transcripts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface DecodeResult {
  records: DecodedRecord[];
  exchanges: HttpExchange[];
  decoder: TlsStreamDecoder;
}

/** Feeds events to a fresh decoder, closes every connection, and returns what it emitted (throws on internal errors). */
export function decodeEvents(events: TlsDataEvent[], maxBodyBytes?: number): DecodeResult {
  const records: DecodedRecord[] = [];
  const errors: unknown[] = [];
  const decoder = new TlsStreamDecoder({
    onRecord: (record) => records.push(record),
    maxBodyBytes,
    onError: (error) => errors.push(error),
  });
  for (const event of events) decoder.push(event);
  decoder.flushAll(2_000_000_000_000_000_000n);
  // The decoder swallows internal failures to protect the host; a test must not.
  if (errors.length > 0) throw errors[0];
  const exchanges = records.filter((record): record is HttpExchange => record.kind === 'http');
  return { records, exchanges, decoder };
}

/** Transcript → events (split as asked) → decoded exchanges. */
export function decodeTranscript(
  transcript: TranscriptPart[],
  split: SplitOptions = {},
  connId = '42:1:abc',
): DecodeResult {
  return decodeEvents(eventsFromTranscript(connId, transcript, split));
}

/** The transcript with each direction's bytes joined into one part per direction change. */
export function coalesce(transcript: TranscriptPart[]): TranscriptPart[] {
  const result: TranscriptPart[] = [];
  for (const part of transcript) {
    const last = result[result.length - 1];
    if (last && last.direction === part.direction) last.data = Buffer.concat([last.data, part.data]);
    else result.push({ direction: part.direction, data: part.data });
  }
  return result;
}

/** What a test compares across different splits of the same bytes. */
export function summarize(exchanges: HttpExchange[]): unknown[] {
  return exchanges.map((exchange) => ({
    method: exchange.request.method,
    target: exchange.request.target,
    requestBody: exchange.request.body.toString('latin1'),
    status: exchange.response?.status,
    headers: exchange.response?.headers,
    body: exchange.response?.body.toString('latin1'),
    sse: exchange.response?.sse,
    complete: [exchange.request.complete, exchange.response?.complete],
    llm: exchange.llm,
    problem: exchange.problem,
  }));
}
