import { describe, expect, it } from 'vitest';
import { createPrng } from '../../src/decode/synthetic.js';
import { DEFAULT_SECRET_PATTERNS } from '../../src/redact/index.js';
import { createTextRedactor } from '../../src/redact/text-redactor.js';

/** The reference behaviour: every pattern in turn, on the whole text. */
function redactOneByOne(text: string, patterns: readonly RegExp[]): string {
  return patterns.reduce(
    (result, pattern) =>
      result.replace(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`), '[REDACTED]'),
    text,
  );
}

const USER_PATTERNS = [
  /^secret\d+$/, // anchors: a joined scan would miss it
  /(?<=pass=)\w+/, // lookbehind
  /(['"])hidden\1/, // back-reference: kept out of the merged alternation
  /tok_[a-z]{4}/y, // sticky: only at the start
  /internal-[^\s]+/i,
];
const PATTERNS = [...DEFAULT_SECRET_PATTERNS, ...USER_PATTERNS];

const TEXTS = [
  '',
  'plain text, nothing to see',
  'secret42',
  'not secret42',
  'login pass=hunter2 ok',
  `say "hidden" and 'hidden"`,
  'tok_abcd then tok_efgh',
  'x tok_abcd',
  'INTERNAL-host.example',
  'Authorization: Bearer sk-proj-abcdefghijklmnopqrstuvwxyz',
  'key AKIAABCDEFGHIJKLMNOP and ghp_0123456789abcdefghijklmnopqrstuvwxyzAB',
];

describe('createTextRedactor', () => {
  it('redacts exactly like applying the patterns one after the other', () => {
    const redactor = createTextRedactor(PATTERNS);
    for (const text of TEXTS) expect(redactor.redact(text), text).toBe(redactOneByOne(text, PATTERNS));
  });

  it('returns the same string instance when nothing matched', () => {
    const text = `${'a'.repeat(1000)}`;
    expect(createTextRedactor(PATTERNS).redact(text)).toBe(text);
  });

  it('reports a possible match in a group exactly when one of its texts would change', () => {
    const redactor = createTextRedactor(PATTERNS);
    for (const text of TEXTS) {
      const group = ['first', text, 'last'];
      const changes = group.some((t) => redactOneByOne(t, PATTERNS) !== t);
      if (changes) expect(redactor.mayMatchAny(group), text).toBe(true);
    }
    expect(redactor.mayMatchAny(['first', 'plain text', 'last'])).toBe(false);
  });

  it('checks a group of texts in one scan with context-free patterns, never missing a match', () => {
    const redactor = createTextRedactor(DEFAULT_SECRET_PATTERNS);
    const messages = Array.from({ length: 50 }, (_, i) => `{"delta":"word ${i}"}`);
    expect(redactor.mayMatchAny(messages)).toBe(false);
    messages[37] = 'sk-ant-api03-abcdefghijkl';
    expect(redactor.mayMatchAny(messages)).toBe(true);
    // `\b` sees the same non-word boundary at a text's edge as at the separator between texts.
    expect(redactor.mayMatchAny(['xsk-', 'abcdefghijklmnopqrstuvwxyz'])).toBe(false);
  });
});

/** Samples of every built-in format, near misses, and anchors without a secret. */
const SECRET_PIECES = [
  'sk-ant-api03-abcdefgh',
  'sk-ant-short',
  'sk-proj-0123456789abcdefgh',
  'sk-0123456789abcdef',
  'sk-0123456789abcde',
  'task-0123456789abcdefghij',
  'Bearer abc.def-ghi',
  'BEARER\tx',
  'bEaReR\n\n token==',
  'bearer',
  'Bearer ',
  'AKIAIOSFODNN7EXAMPLE',
  'ASIAIOSFODNN7EXAMPLE',
  'AKIAIOSFODNN7EXAMPL',
  'AKIAIOSFODNN7EXAMPLEX',
  'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
  'aws_secret_access_key:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'aws_secret_access_key=short',
  'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
  'ghx_0123456789abcdefghijklmnopqrstuvwxyz',
  'github_pat_0123456789abcdefghijkl',
  'AIzaSyA1234567890abcdefghijklmnopqrstu',
  'AIzaSyA1234567890',
  'xoxb-0123456789',
  'xoxq-0123456789',
  'eyJhbGciOiJI.eyJzdWIiOiIx.abcdefgh',
  'eyJhbGciOiJI.eyJz.abcdefgh',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----',
  '-----BEGIN PRIVATE KEY----- no end',
  'finish_reason',
  'IA',
  'J',
  'k-',
  '_',
];
/** Word and non-word neighbours (`\\b`), JSON, prose, a character that lower-cases to two (U+0130). */
const FILLERS = [
  '',
  ' ',
  'a',
  '_',
  '9',
  '"',
  '-',
  '\n',
  '{"k":"',
  'the tokens ',
  'İ',
  'é',
  's',
  'g',
  'y',
  'x',
];

describe('built-in formats found by their anchors', () => {
  it('decide exactly like running every pattern, in random texts', () => {
    const redactor = createTextRedactor(DEFAULT_SECRET_PATTERNS);
    const singles = DEFAULT_SECRET_PATTERNS.map(
      (pattern) => new RegExp(pattern.source, pattern.flags.replace('g', '')),
    );
    const random = createPrng(3);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    let matched = 0;
    for (let i = 0; i < 3000; i++) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
        random() < 0.5 ? pick(SECRET_PIECES) : pick(FILLERS),
      );
      const text = parts.join(random() < 0.5 ? '' : pick(FILLERS));
      const expected = singles.some((pattern) => pattern.test(text));
      expect(redactor.mayMatch(text), text).toBe(expected);
      expect(redactor.redact(text), text).toBe(redactOneByOne(text, DEFAULT_SECRET_PATTERNS));
      if (expected) matched++;
    }
    // Both outcomes were exercised.
    expect(matched).toBeGreaterThan(500);
    expect(matched).toBeLessThan(2500);
  });

  it('still run the patterns given alongside them', () => {
    const redactor = createTextRedactor([...DEFAULT_SECRET_PATTERNS, /internal-\w+/]);
    expect(redactor.redact('host internal-db and sk-0123456789abcdefgh')).toBe(
      'host [REDACTED] and [REDACTED]',
    );
  });
});

describe('pieces of a clean text', () => {
  const redactor = createTextRedactor(DEFAULT_SECRET_PATTERNS);

  it('are not scanned again, while other texts are', () => {
    const source = 'data: {"delta":"the answer"}\ndata: {"delta":"more words"}\n';
    expect(redactor.mayMatch(source)).toBe(false);
    const pieces = ['{"delta":"the answer"}', '{"delta":"more words"}'];
    expect(redactor.mayMatchAnyOutside(pieces, source)).toBe(false);
    expect(redactor.mayMatchAnyOutside([...pieces, 'sk-0123456789abcdefgh'], source)).toBe(true);
  });

  it('are scanned when a word character next to them changes what \\b sees', () => {
    // In the source the key follows a word character, so `\bsk-` does not match there; alone it does.
    const source = 'task-0123456789abcdefgh';
    expect(redactor.mayMatch(source)).toBe(false);
    expect(redactor.mayMatchAnyOutside(['sk-0123456789abcdefgh'], source)).toBe(true);
  });

  it('fall back to one scan per text with patterns that are not context-free', () => {
    const anchored = createTextRedactor([/^secret$/]);
    expect(anchored.mayMatchAnyOutside(['secret'], 'no secret here')).toBe(true);
  });
});
