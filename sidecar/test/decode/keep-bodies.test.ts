import { describe, expect, it } from 'vitest';
import { type HttpExchange, TlsStreamDecoder } from '../../src/decode/index.js';
import { eventsFromTranscript } from '../../src/decode/synthetic.js';

const upload = 'u'.repeat(40_000);
const download = 'd'.repeat(50_000);
const chatRequest = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const chatResponse = JSON.stringify({
  id: 'chatcmpl-1',
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});

/** One keep-alive connection: a plain upload, then a chat completion, then a plain download. */
const transcript = [
  {
    direction: 'write' as const,
    data: Buffer.from(
      `PUT /files/a HTTP/1.1\r\nHost: storage.local\r\ncontent-length: ${upload.length}\r\n\r\n${upload}`,
    ),
  },
  { direction: 'read' as const, data: Buffer.from('HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok') },
  {
    direction: 'write' as const,
    data: Buffer.from(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\ncontent-type: application/json\r\n` +
        `content-length: ${chatRequest.length}\r\n\r\n${chatRequest}`,
    ),
  },
  {
    direction: 'read' as const,
    data: Buffer.from(
      `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${chatResponse.length}\r\n\r\n${chatResponse}`,
    ),
  },
  { direction: 'write' as const, data: Buffer.from('GET /files/b HTTP/1.1\r\nHost: storage.local\r\n\r\n') },
  {
    direction: 'read' as const,
    data: Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${download.length}\r\n\r\n${download}`),
  },
];

function decode(keepBodies: 'all' | 'llm') {
  const exchanges: HttpExchange[] = [];
  const decoder = new TlsStreamDecoder({
    keepBodies,
    onRecord: (record) => {
      if (record.kind === 'http') exchanges.push(record);
    },
    onError: (error) => {
      throw error;
    },
  });
  // 1000-byte capture chunks: bodies arrive in many pieces, heads cut anywhere.
  for (const event of eventsFromTranscript('7:1:k', transcript, { chunkSize: 1000 })) decoder.push(event);
  decoder.flushAll(2_000_000_000_000_000_000n);
  return { exchanges, stats: decoder.stats() };
}

describe("keepBodies: 'llm'", () => {
  it('keeps and parses LLM bodies, counts others without keeping them, and decodes the same exchanges', () => {
    const all = decode('all');
    const lean = decode('llm');

    expect(lean.exchanges.map((x) => [x.request.method, x.response?.status, x.problem])).toEqual(
      all.exchanges.map((x) => [x.request.method, x.response?.status, x.problem]),
    );
    expect(lean.exchanges.map((x) => x.problem)).toEqual([undefined, undefined, undefined]);
    const [putLean, chatLean, getLean] = lean.exchanges;
    expect(all.exchanges[0].request.body.length).toBe(upload.length);
    expect(putLean.request.body.length).toBe(0);
    expect(putLean.request.complete).toBe(true);
    expect(getLean.response!.body.length).toBe(0);
    expect(getLean.response!.complete).toBe(true);

    expect(chatLean.request.body.toString()).toBe(chatRequest);
    expect(chatLean.response!.body.toString()).toBe(chatResponse);
    expect(chatLean.llm).toEqual(all.exchanges[1].llm);
    expect(chatLean.llm!.outputText).toBe('hello');

    // Not keeping a body is no loss: nothing is counted as dropped.
    expect(lean.stats).toEqual(all.stats);
    expect(lean.stats.droppedBytes).toBe(0);
  });
});
