import { describe, expect, it } from 'vitest';
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
