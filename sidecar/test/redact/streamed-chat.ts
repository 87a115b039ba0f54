import type { HttpExchange } from '../../src/decode/index.js';
import { eventsFromTranscript } from '../../src/decode/synthetic.js';
import { decodeEvents } from '../decode/wire.js';

/** One SSE event of a streamed chat completion carrying `content` as its delta. */
export const chatChunk = (content: string): string =>
  `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content } }] })}\n\n`;

/**
 * A decoded streamed chat completion whose response body is `events`, delivered in `chunkSize`-byte
 * capture events, so secrets are also cut across TLS events.
 */
export function streamedChatExchange(events: string[], chunkSize: number): HttpExchange {
  const body = events.join('');
  const request = JSON.stringify({
    model: 'gpt-4o',
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
  });
  const transcript = [
    {
      direction: 'write' as const,
      data: Buffer.from(
        'POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\ncontent-type: application/json\r\n' +
          `content-length: ${request.length}\r\n\r\n${request}`,
      ),
    },
    {
      direction: 'read' as const,
      data: Buffer.from(
        'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n' +
          `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ),
    },
  ];
  const [exchange] = decodeEvents(eventsFromTranscript('9:1:s', transcript, { chunkSize })).exchanges;
  return exchange;
}
