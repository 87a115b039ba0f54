/**
 * Synthetic TLS captures for tests and benchmarks: realistic HTTP/1.1 LLM exchanges (OpenAI and
 * Anthropic, plain and streamed) turned into `TlsDataEvent` sequences split at random boundaries, with
 * many connections interleaved. Deterministic for a given seed.
 */
import type { TlsDataEvent, TlsDirection } from '../capture/events.js';

export type SyntheticExchangeKind =
  | 'openai-chat'
  | 'openai-chat-stream'
  | 'openai-responses-stream'
  | 'anthropic-messages'
  | 'anthropic-messages-stream'
  | 'plain-json';

export interface SyntheticCaptureOptions {
  seed?: number;
  connections?: number;
  exchangesPerConnection?: number;
  /** Approximate size of each response body. Default 64 KiB. */
  responseBytes?: number;
  /** Kinds to draw from (uniformly). Default: all. */
  kinds?: SyntheticExchangeKind[];
  /** Upper bound of the random chunk size events are split into. Default 16 KiB. */
  maxChunkBytes?: number;
  /** Capture time of the first event. Default 1.7e18 ns. */
  startNs?: bigint;
}

export interface SyntheticCapture {
  events: TlsDataEvent[];
  /** Plaintext bytes in all events. */
  bytes: number;
  exchanges: number;
  llmCalls: number;
}

/** One direction's bytes, in the order they crossed the connection. */
export interface TranscriptPart {
  direction: TlsDirection;
  data: Buffer;
}

const ALL_KINDS: SyntheticExchangeKind[] = [
  'openai-chat',
  'openai-chat-stream',
  'openai-responses-stream',
  'anthropic-messages',
  'anthropic-messages-stream',
  'plain-json',
];

const WORDS =
  'the agent reads a file then calls the tool and writes a short answer about latency tokens traces'.split(
    ' ',
  );

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateSyntheticCapture(options: SyntheticCaptureOptions = {}): SyntheticCapture {
  const random = createPrng(options.seed ?? 1);
  const kinds = options.kinds ?? ALL_KINDS;
  const connections = options.connections ?? 4;
  const perConnection = options.exchangesPerConnection ?? 8;
  const responseBytes = options.responseBytes ?? 64 * 1024;
  const maxChunk = options.maxChunkBytes ?? 16 * 1024;

  const queues: TlsDataEvent[][] = [];
  let llmCalls = 0;
  for (let c = 0; c < connections; c++) {
    const transcript: TranscriptPart[] = [];
    for (let e = 0; e < perConnection; e++) {
      const kind = kinds[Math.floor(random() * kinds.length)];
      if (kind !== 'plain-json') llmCalls++;
      const exchange = buildExchange(kind, responseBytes, random);
      transcript.push(
        { direction: 'write', data: exchange.request },
        { direction: 'read', data: exchange.response },
      );
    }
    queues.push(
      eventsFromTranscript(`${1000 + c}:1:${(0x5000 + c).toString(16)}`, transcript, { random, maxChunk }),
    );
  }

  // Interleave connections the way one event loop multiplexes them, keeping each connection's order.
  const events: TlsDataEvent[] = [];
  const cursors = queues.map(() => 0);
  let live = queues.filter((queue) => queue.length > 0).length;
  let tsNs = options.startNs ?? 1_700_000_000_000_000_000n;
  while (live > 0) {
    const c = Math.floor(random() * queues.length);
    if (cursors[c] >= queues[c].length) continue;
    const event = queues[c][cursors[c]++];
    tsNs += 1000n + BigInt(Math.floor(random() * 50_000));
    event.tsNs = tsNs;
    events.push(event);
    if (cursors[c] === queues[c].length) live--;
  }
  const bytes = events.reduce((sum, event) => sum + event.data.length, 0);
  return { events, bytes, exchanges: connections * perConnection, llmCalls };
}

export interface SplitOptions {
  /** Chunk sizes are drawn uniformly from 1..maxChunk. Default 16 KiB. */
  maxChunk?: number;
  random?: () => number;
  /** Fixed chunk size instead of random ones (1 = every byte boundary). */
  chunkSize?: number;
  pid?: number;
  startNs?: bigint;
}

/** Turns a connection transcript into capture events with per-direction offsets, split into chunks. */
export function eventsFromTranscript(
  connId: string,
  transcript: TranscriptPart[],
  options: SplitOptions = {},
): TlsDataEvent[] {
  const random = options.random ?? createPrng(7);
  const maxChunk = options.maxChunk ?? 16 * 1024;
  const parsedPid = options.pid ?? Number.parseInt(connId, 10);
  const pid = Number.isFinite(parsedPid) ? parsedPid : 1;
  const offsets: Record<TlsDirection, number> = { write: 0, read: 0 };
  const events: TlsDataEvent[] = [];
  let tsNs = options.startNs ?? 1_700_000_000_000_000_000n;
  for (const part of transcript) {
    let pos = 0;
    while (pos < part.data.length) {
      const size = options.chunkSize ?? 1 + Math.floor(random() * maxChunk);
      const data = part.data.subarray(pos, pos + size);
      tsNs += 1000n;
      events.push({
        kind: 'tls_data',
        connId,
        direction: part.direction,
        offset: offsets[part.direction],
        data,
        callLength: data.length,
        truncated: false,
        pid,
        tid: pid,
        ppid: 1,
        comm: 'node',
        tsNs,
      });
      offsets[part.direction] += data.length;
      pos += data.length;
    }
  }
  return events;
}

interface WireExchange {
  request: Buffer;
  response: Buffer;
}

function buildExchange(
  kind: SyntheticExchangeKind,
  responseBytes: number,
  random: () => number,
): WireExchange {
  const text = (words: number) =>
    Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const prompt = text(40);
  switch (kind) {
    case 'openai-chat': {
      const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] };
      const answer = text(Math.max(1, Math.floor(responseBytes / 6)));
      const response = {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: 'gpt-4o-mini-2024-07-18',
        choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 40, completion_tokens: 100, total_tokens: 140 },
      };
      return { request: openAiRequest('/v1/chat/completions', request), response: jsonResponse(response) };
    }
    case 'openai-chat-stream': {
      const request = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: prompt }] };
      const events: string[] = [];
      let size = 0;
      while (size < responseBytes) {
        const chunk = {
          id: 'chatcmpl-2',
          object: 'chat.completion.chunk',
          model: 'gpt-4o-mini',
          choices: [{ index: 0, delta: { content: `${text(3)} ` }, finish_reason: null }],
        };
        const event = `data: ${JSON.stringify(chunk)}\n\n`;
        events.push(event);
        size += event.length;
      }
      events.push(
        `data: ${JSON.stringify({ id: 'chatcmpl-2', model: 'gpt-4o-mini', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
        `data: ${JSON.stringify({ id: 'chatcmpl-2', model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 40, completion_tokens: 200 } })}\n\n`,
        'data: [DONE]\n\n',
      );
      return { request: openAiRequest('/v1/chat/completions', request), response: sseResponse(events) };
    }
    case 'openai-responses-stream': {
      const request = { model: 'gpt-4.1', stream: true, input: prompt };
      const events = [
        sse('response.created', { type: 'response.created', response: { id: 'resp_1', model: 'gpt-4.1' } }),
      ];
      let size = 0;
      let full = '';
      while (size < responseBytes) {
        const delta = `${text(3)} `;
        full += delta;
        const event = sse('response.output_text.delta', {
          type: 'response.output_text.delta',
          output_index: 0,
          delta,
        });
        events.push(event);
        size += event.length;
      }
      const completed = {
        id: 'resp_1',
        model: 'gpt-4.1',
        status: 'completed',
        output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: full }] }],
        usage: { input_tokens: 40, output_tokens: 200 },
      };
      events.push(sse('response.completed', { type: 'response.completed', response: completed }));
      return { request: openAiRequest('/v1/responses', request), response: sseResponse(events) };
    }
    case 'anthropic-messages': {
      const request = {
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        messages: [{ role: 'user', content: prompt }],
      };
      const response = {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [{ type: 'text', text: text(Math.max(1, Math.floor(responseBytes / 6))) }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 40, output_tokens: 100 },
      };
      return { request: anthropicRequest(request), response: jsonResponse(response) };
    }
    case 'anthropic-messages-stream': {
      const request = {
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        stream: true,
        messages: [{ role: 'user', content: prompt }],
      };
      const events = [
        sse('message_start', {
          type: 'message_start',
          message: { id: 'msg_2', model: 'claude-sonnet-4-5', usage: { input_tokens: 40, output_tokens: 1 } },
        }),
        sse('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        }),
      ];
      let size = 0;
      while (size < responseBytes) {
        const event = sse('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: `${text(3)} ` },
        });
        events.push(event);
        size += event.length;
      }
      events.push(
        sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
        sse('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn' },
          usage: { output_tokens: 200 },
        }),
        sse('message_stop', { type: 'message_stop' }),
      );
      return { request: anthropicRequest(request), response: sseResponse(events) };
    }
    case 'plain-json': {
      const request = Buffer.from(
        'GET /api/items?page=2 HTTP/1.1\r\nHost: api.example.com\r\nAccept: */*\r\n\r\n',
      );
      const items = Array.from({ length: Math.max(1, Math.floor(responseBytes / 40)) }, (_, i) => ({
        i,
        name: text(3),
      }));
      return { request, response: jsonResponse({ items }) };
    }
  }
}

function openAiRequest(path: string, body: unknown): Buffer {
  const json = JSON.stringify(body);
  return Buffer.from(
    `POST ${path} HTTP/1.1\r\nHost: api.openai.com\r\nAuthorization: Bearer sk-test-0123456789abcdef0123\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  );
}

function anthropicRequest(body: unknown): Buffer {
  const json = JSON.stringify(body);
  return Buffer.from(
    'POST /v1/messages HTTP/1.1\r\nHost: api.anthropic.com\r\nx-api-key: sk-ant-test-0123456789abcdef\r\n' +
      `anthropic-version: 2023-06-01\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  );
}

function jsonResponse(body: unknown): Buffer {
  const json = JSON.stringify(body);
  return Buffer.from(
    `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  );
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A streamed response as servers send it: chunked transfer encoding, one chunk per event. */
function sseResponse(events: string[]): Buffer {
  const parts = ['HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n'];
  for (const event of events) parts.push(`${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`);
  parts.push('0\r\n\r\n');
  return Buffer.from(parts.join(''));
}
