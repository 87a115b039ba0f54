import { describe, expect, it } from 'vitest';
import type { HttpExchange } from '../../src/decode/index.js';
import { createAnchoredTest } from '../../src/redact/anchored-test.js';
import { createRedactor, DEFAULT_SECRET_PATTERNS } from '../../src/redact/index.js';
import { DEFAULT_SECRET_FORMATS } from '../../src/redact/secret-patterns.js';
import { createTextRedactor } from '../../src/redact/text-redactor.js';
import { chatChunk, streamedChatExchange } from './streamed-chat.js';

const singles = DEFAULT_SECRET_PATTERNS.map(
  (pattern) => new RegExp(pattern.source, pattern.flags.replace('g', '')),
);
const redactor = createTextRedactor(DEFAULT_SECRET_PATTERNS);

/** Asserts the anchored scan decides and redacts exactly like running every pattern over the text. */
function expectExact(text: string): boolean {
  const expected = singles.some((pattern) => pattern.test(text));
  const label = text.length > 80 ? `${text.slice(0, 40)}…${text.slice(-40)}` : text;
  expect(redactor.mayMatch(text), label).toBe(expected);
  const reference = DEFAULT_SECRET_PATTERNS.reduce(
    (result, pattern) => result.replace(new RegExp(pattern.source, pattern.flags), '[REDACTED]'),
    text,
  );
  expect(redactor.redact(text), label).toBe(reference);
  return expected;
}

const SECRETS = [
  'sk-ant-api03-abcdefgh',
  'sk-proj-0123456789abcdefgh',
  'Bearer abc.def-ghi',
  'AKIAIOSFODNN7EXAMPLE',
  'ASIAIOSFODNN7EXAMPLE',
  'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
  'github_pat_0123456789abcdefghijkl',
  'AIzaSyA1234567890abcdefghijklmnopqrstuv',
  'xoxb-0123456789',
  'eyJhbGciOiJI.eyJzdWIiOiIx.abcdefgh',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----',
];
/** Anchor characters, their neighbours, and non-ASCII ones (U+0130 lower-cases to two characters). */
const RUN_CHARACTERS = [
  'x',
  'k',
  's',
  '-',
  '_',
  'I',
  'A',
  'J',
  'y',
  'b',
  'B',
  'e',
  ' ',
  '\n',
  'İ',
  'é',
  '\u00a0',
  'Ā',
];

describe('anchored secret search', () => {
  it('finds every format at the edges of a text and inside long runs of any character', () => {
    for (const secret of SECRETS) {
      expect(expectExact(secret), secret).toBe(true);
      for (const c of RUN_CHARACTERS) {
        const run = c.repeat(3000);
        for (const separator of ['', ' ']) {
          expectExact(`${run}${separator}${secret}`);
          expectExact(`${secret}${separator}${run}`);
          expectExact(`${run}${separator}${secret}${separator}${run}`);
        }
      }
    }
  });

  it('stays exact on texts with thousands of anchor hits and no secret, then one at the end', () => {
    const decoys = [
      'sk-',
      'k-',
      '-',
      'AKIA',
      'AIza',
      'xox',
      'eyJ',
      '_',
      'gh',
      'github_',
      'bearer',
      'BeArEr',
      '-----BEGIN ',
    ];
    for (const decoy of decoys) {
      const text = decoy.repeat(Math.ceil(20_000 / decoy.length));
      expectExact(text);
      for (const secret of SECRETS)
        expect(expectExact(`${text} ${secret}`), `${decoy} then ${secret}`).toBe(true);
    }
  });

  it('finds the case-insensitive anchor in every letter case, and only before whitespace', () => {
    for (let mask = 0; mask < 64; mask++) {
      const word = [...'bearer'].map((c, i) => (mask & (1 << i) ? c.toUpperCase() : c)).join('');
      expect(expectExact(`${word} token123`), word).toBe(true);
      expect(expectExact(`${word}token123`), word).toBe(false);
      expect(expectExact(`x${word} token123`), word).toBe(false);
    }
  });

  it('refuses a case-insensitive anchor it cannot fold exactly', () => {
    const bearer = DEFAULT_SECRET_FORMATS.find((format) => format.ignoreCase)!;
    expect(() =>
      createAnchoredTest([{ ...bearer, pattern: new RegExp(bearer.pattern.source, 'giu') }]),
    ).toThrow(/case-insensitive anchor/);
    expect(() => createAnchoredTest([{ ...bearer, anchor: 'Bearer' }])).toThrow(/case-insensitive anchor/);
  });
});

/** Streamed completions cut into 5-byte capture chunks. */
const streamedExchange = (events: string[]): HttpExchange => streamedChatExchange(events, 5);
const chunk = chatChunk;

describe('event stream redaction', () => {
  it('shares the messages of a clean stream, whose data lines are pieces of the clean body', () => {
    const exchange = streamedExchange([chunk('the answer'), chunk(' is 42'), 'data: [DONE]\n\n']);
    const redacted = createRedactor()(exchange) as HttpExchange;
    expect(redacted.response!.sse).toEqual(exchange.response!.sse);
    redacted.response!.sse!.forEach((message, i) => {
      expect(message).toBe(exchange.response!.sse![i]);
    });
    expect(redacted.llm!.outputText).toBe('the answer is 42');
  });

  it('redacts a secret in one event, in its data, the body and the output text', () => {
    const exchange = streamedExchange([chunk('key '), chunk('sk-proj-0123456789abcdefgh'), chunk(' done')]);
    const redacted = createRedactor()(exchange) as HttpExchange;
    expect(redacted.response!.sse!.map((message) => message.data).join()).not.toContain('sk-proj');
    expect(redacted.response!.body.toString()).not.toContain('sk-proj');
    expect(redacted.llm!.outputText).toBe('key [REDACTED] done');
  });

  it('scans data joined from several lines, which is no piece of the body', () => {
    const exchange = streamedExchange(['data: secret foo\ndata: bar\n\n', chunk('x')]);
    expect(exchange.response!.sse![0].data).toBe('secret foo\nbar');
    const redacted = createRedactor({ bodyPatterns: [/foo\nbar/] })(exchange) as HttpExchange;
    expect(redacted.response!.body.toString()).toContain('foo\ndata: bar');
    expect(redacted.response!.sse![0].data).toBe('secret [REDACTED]');
  });

  it('scans the data of a body that is not ASCII, whose text differs from the scanned latin1 one', () => {
    // U+00A0 is whitespace to `\s`: in UTF-8 it is two bytes, which latin1 reads as `Â` and U+00A0.
    const exchange = streamedExchange([chunk('token Bearer\u00a0abcdef123'), chunk(' end')]);
    const redacted = createRedactor()(exchange) as HttpExchange;
    expect(redacted.response!.sse![0].data).not.toContain('abcdef123');
    expect(redacted.llm!.outputText).toBe('token [REDACTED] end');
  });
});
