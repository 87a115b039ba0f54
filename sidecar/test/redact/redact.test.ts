import { describe, expect, it } from 'vitest';
import type { HttpExchange, UndecodedConnection } from '../../src/decode/index.js';
import { eventsFromTranscript } from '../../src/decode/synthetic.js';
import { createRedactor, DEFAULT_SENSITIVE_HEADERS } from '../../src/redact/index.js';
import { decodeEvents } from '../decode/wire.js';
import { chatChunk, streamedChatExchange } from './streamed-chat.js';

/** A decoded Anthropic call carrying secrets in headers, body and message content. */
function decodedExchange(
  extraRequestHeaders: string,
  requestBody: object,
  responseBody: object,
): HttpExchange {
  const body = JSON.stringify(requestBody);
  const response = JSON.stringify(responseBody);
  const transcript = [
    {
      direction: 'write' as const,
      data: Buffer.from(
        `POST /v1/messages?key=AIzaSyA1234567890abcdefghijklmnopqrstuv HTTP/1.1\r\nHost: api.anthropic.com\r\n` +
          `anthropic-version: 2023-06-01\r\ntraceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n` +
          `${extraRequestHeaders}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ),
    },
    {
      direction: 'read' as const,
      data: Buffer.from(
        'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nset-cookie: session=abc; HttpOnly\r\n' +
          `x-ratelimit-remaining-tokens: 999\r\nx-request-id: req_1\r\ncontent-length: ${Buffer.byteLength(response)}\r\n\r\n${response}`,
      ),
    },
  ];
  const { exchanges } = decodeEvents(eventsFromTranscript('1:1:r', transcript));
  expect(exchanges).toHaveLength(1);
  return exchanges[0];
}

const toJson = (value: unknown) =>
  JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));

const secrets = {
  openai: 'sk-proj-AbCdEf0123456789GhIjKl',
  anthropic: 'sk-ant-api03-AbCdEf0123456789-xyz',
  aws: 'AKIAIOSFODNN7EXAMPLE',
};

describe('createRedactor', () => {
  it('replaces every default credential header and keeps the others', () => {
    const headerLines = DEFAULT_SENSITIVE_HEADERS.filter((name) => name !== 'set-cookie')
      .map((name) => `${name.toUpperCase()}: secret-value-${name}\r\n`)
      .join('');
    const exchange = decodedExchange(
      `${headerLines}X-Custom-Secret: s\r\nX-Amz-Security-Token: t\r\n`,
      { messages: [] },
      {},
    );
    const redacted = createRedactor()(exchange) as HttpExchange;
    for (const name of DEFAULT_SENSITIVE_HEADERS) {
      const headers = name === 'set-cookie' ? redacted.response!.headers : redacted.request.headers;
      expect(headers[name]).toBe('[REDACTED]');
    }
    expect(redacted.request.headers['x-custom-secret']).toBe('[REDACTED]');
    expect(redacted.request.headers['x-amz-security-token']).toBe('[REDACTED]');
    expect(JSON.stringify(redacted.request.headers)).not.toContain('secret-value');
    expect(redacted.request.headers.traceparent).toBe(exchange.request.headers.traceparent);
    expect(redacted.request.headers['anthropic-version']).toBe('2023-06-01');
    expect(redacted.response!.headers['x-ratelimit-remaining-tokens']).toBe('999');
    expect(redacted.response!.headers['x-request-id']).toBe('req_1');
  });

  it('with omitBodies drops bodies and still redacts the target, headers and LLM fields', () => {
    const exchange = decodedExchange(
      `authorization: Bearer ${secrets.openai}\r\n`,
      {
        model: 'claude-sonnet-4-5',
        max_tokens: 10,
        system: `use ${secrets.aws} for s3`,
        messages: [{ role: 'user', content: `my key is ${secrets.openai}` }],
      },
      {
        id: 'msg_1',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'text', text: `echo ${secrets.anthropic}` }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 1, output_tokens: 2 },
      },
    );
    expect(exchange.request.body.length).toBeGreaterThan(0);
    const redacted = createRedactor({ omitBodies: true })(exchange) as HttpExchange;

    expect(redacted.request.body.length).toBe(0);
    expect(redacted.response!.body.length).toBe(0);
    expect(redacted.request.headers.authorization).toBe('[REDACTED]');
    expect(redacted.request.target).toBe('/v1/messages?key=[REDACTED]');
    expect(redacted.llm!.systemInstructions).toBe('use [REDACTED] for s3');
    expect(redacted.llm!.inputMessages[0].content).toBe('my key is [REDACTED]');
    expect(redacted.llm!.outputText).toBe('echo [REDACTED]');
    expect(redacted.llm!.usage).toEqual(exchange.llm!.usage);
    const serialized = toJson(redacted);
    for (const secret of Object.values(secrets)) expect(serialized).not.toContain(secret);
  });

  it('finds key formats in the target, bodies and LLM message contents, changing nothing else', () => {
    const exchange = decodedExchange(
      '',
      {
        model: 'claude-sonnet-4-5',
        max_tokens: 10,
        system: `use ${secrets.aws} for s3`,
        messages: [{ role: 'user', content: `my key is ${secrets.openai}, call with Bearer abc.def-ghi` }],
      },
      {
        id: 'msg_1',
        model: 'claude-sonnet-4-5',
        content: [
          { type: 'text', text: `echo ${secrets.anthropic}` },
          { type: 'tool_use', id: 'toolu_1', name: 'run', input: { token: secrets.openai } },
        ],
        stop_reason: 'end_turn',
        usage: { input_tokens: 1, output_tokens: 2 },
      },
    );
    const snapshot = toJson(exchange);
    const redacted = createRedactor()(exchange) as HttpExchange;

    const serialized = toJson(redacted);
    for (const secret of [...Object.values(secrets), 'AIzaSyA1234567890', 'abc.def-ghi']) {
      expect(serialized).not.toContain(secret);
      expect(redacted.request.body.toString()).not.toContain(secret);
      expect(redacted.response!.body.toString()).not.toContain(secret);
    }
    expect(redacted.request.target).toBe('/v1/messages?key=[REDACTED]');
    expect(redacted.llm!.inputMessages[0].content).toBe('my key is [REDACTED], call with [REDACTED]');
    expect(redacted.llm!.systemInstructions).toBe('use [REDACTED] for s3');
    expect(redacted.llm!.outputText).toBe('echo [REDACTED]');
    expect(redacted.llm!.toolCalls[0].arguments).toBe('{"token":"[REDACTED]"}');

    // Nothing else differs: undo the replacements and compare with the original.
    expect(redacted.llm!.usage).toEqual(exchange.llm!.usage);
    expect(redacted.timings).toEqual(exchange.timings);
    expect({ ...redacted, request: undefined, response: undefined, llm: undefined }).toEqual({
      ...exchange,
      request: undefined,
      response: undefined,
      llm: undefined,
    });
    // The input record is untouched.
    expect(toJson(exchange)).toBe(snapshot);
  });

  it('applies custom header names and body patterns', () => {
    const exchange = decodedExchange(
      'X-Tenant: acme\r\nX-Plain: keep\r\n',
      { messages: [{ role: 'user', content: 'ssn 123-45-6789' }] },
      {},
    );
    const redacted = createRedactor({ headerNames: ['X-TENANT'], bodyPatterns: [/\d{3}-\d{2}-\d{4}/] })(
      exchange,
    ) as HttpExchange;
    expect(redacted.request.headers['x-tenant']).toBe('[REDACTED]');
    expect(redacted.request.headers['x-plain']).toBe('keep');
    expect(redacted.llm!.inputMessages[0].content).toBe('ssn [REDACTED]');
    expect(redacted.request.body.toString()).toContain('ssn [REDACTED]');
  });

  it('returns an equal copy of a record without secrets, binary bodies byte for byte', () => {
    const transcript = [
      { direction: 'write' as const, data: Buffer.from('GET /img HTTP/1.1\r\nHost: x\r\n\r\n') },
      {
        direction: 'read' as const,
        data: Buffer.concat([
          Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 256\r\n\r\n'),
          Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
        ]),
      },
    ];
    const [exchange] = decodeEvents(eventsFromTranscript('2:1:b', transcript)).exchanges;
    const redacted = createRedactor()(exchange);
    expect(redacted).toEqual(exchange);
    expect(redacted).not.toBe(exchange);
    const undecoded: UndecodedConnection = {
      kind: 'undecoded',
      connId: 'c',
      pid: 1,
      comm: 'x',
      reason: 'http2',
      bytes: 3,
      tsNs: 1n,
    };
    expect(createRedactor()(undecoded)).toEqual(undecoded);
  });

  it('redacts a streamed key whole in one event, and across events and capture chunks in the output text', () => {
    const [head, tail] = [secrets.openai.slice(0, 12), secrets.openai.slice(12)];
    const stream = [
      chatChunk('the key '),
      chatChunk(head),
      chatChunk(tail),
      chatChunk(` and ${secrets.aws} again`),
      'data: [DONE]\n\n',
    ];
    // 7-byte capture chunks: every key is also cut across TLS events.
    const exchange = streamedChatExchange(stream, 7);
    expect(exchange.llm!.outputText).toBe(`the key ${secrets.openai} and ${secrets.aws} again`);

    const redacted = createRedactor()(exchange) as HttpExchange;
    expect(redacted.llm!.outputText).toBe('the key [REDACTED] and [REDACTED] again');
    expect(redacted.response!.sse!.map((message) => message.data).join()).not.toContain(secrets.aws);
    expect(redacted.response!.body.toString()).not.toContain(secrets.aws);
    expect(toJson(redacted)).not.toContain(secrets.openai);

    // Without bodies the event stream goes too; the joined output is still redacted.
    const lean = createRedactor({ omitBodies: true })(exchange) as HttpExchange;
    expect(lean.response!.sse).toBeUndefined();
    expect(lean.llm!.outputText).toBe('the key [REDACTED] and [REDACTED] again');
    expect(toJson(lean)).not.toContain(secrets.aws);
  });
});
