import { createAnchoredTest } from './anchored-test.js';
import { DEFAULT_SECRET_FORMATS, REDACTED } from './secret-patterns.js';

export interface TextRedactor {
  /**
   * Replaces every match of the patterns, applied one after the other, with '[REDACTED]'; returns
   * the same string instance when nothing matched.
   */
  redact(text: string): string;
  /** False only when `redact` would return `text` unchanged. */
  mayMatch(text: string): boolean;
  /** False only when `redact` would return every one of `texts` unchanged. */
  mayMatchAny(texts: readonly string[]): boolean;
  /**
   * `mayMatchAny` for texts that are mostly verbatim pieces of `cleanSource`, a text for which
   * `mayMatch` is false (SSE data and JSON strings of the body they came from): those found in it,
   * in order and between non-word characters, need no scan of their own.
   */
  mayMatchAnyOutside(texts: readonly string[], cleanSource: string): boolean;
  /**
   * Every pattern is context-free (see isContextFree): then a piece of a text for which `mayMatch`
   * is false, cut between non-word characters, cannot match either.
   */
  readonly contextFree: boolean;
}

/**
 * Group references only keep their meaning inside their own pattern, and a sticky pattern only
 * matches at the start: such patterns cannot be merged into an alternation.
 */
const UNMERGEABLE_SOURCE = /\\[1-9]|\\k<|\(\?<(?![=!])/;

/** A negated character class: its `^` is no anchor. */
const NEGATED_CLASS = /(^|[^\\])\[\^/g;
/** Anchors and lookarounds see past the match: `^`, `$`, `\B`, `(?=`, `(?!`, `(?<=`, `(?<!`. */
const CONTEXT_ASSERTION = /[$^]|\\B|\(\?<?[=!]/;

/**
 * A match of a context-free pattern depends only on the matched characters and on whether the
 * characters around it are word characters (`\b`). Such a pattern that matches inside one text also
 * matches inside texts joined with a non-word separator: they can all be checked in one scan.
 */
function isContextFree(pattern: RegExp): boolean {
  return (
    !pattern.flags.includes('y') && !CONTEXT_ASSERTION.test(pattern.source.replace(NEGATED_CLASS, '$1['))
  );
}

/**
 * Stateless (non-global) tests that, together, match a text exactly when at least one of
 * `patterns` does: patterns with the same flags are merged into one alternation, so a text is
 * scanned once per flag set rather than once per pattern.
 */
function candidateTests(patterns: readonly RegExp[]): RegExp[] {
  const merged = new Map<string, string[]>();
  const tests: RegExp[] = [];
  for (const pattern of patterns) {
    const flags = pattern.flags.replace('g', '');
    if (flags.includes('y') || UNMERGEABLE_SOURCE.test(pattern.source)) {
      tests.push(new RegExp(pattern.source, flags));
      continue;
    }
    const sources = merged.get(flags) ?? [];
    sources.push(`(?:${pattern.source})`);
    merged.set(flags, sources);
  }
  for (const [flags, sources] of merged) tests.push(new RegExp(sources.join('|'), flags));
  return tests;
}

/**
 * A position outside `text`, or an ASCII character `\b` treats as non-word. Non-ASCII characters
 * count as word characters: with the `u` and `i` flags, `\b` counts some of them (U+017F, U+212A).
 */
function isNonWordAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return true;
  const c = text.charCodeAt(index);
  const word =
    c >= 0x80 ||
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f;
  return !word;
}

/** Tries before giving a piece up as not in its source (pieces are met in order, close together). */
const MAX_PIECE_TRIES = 8;
/** Long pieces (message texts) are looked for by a prefix this long: their first character is common. */
const PIECE_PREFIX = 32;

/**
 * Where `piece` occurs in `source` at or after `from`, among the first few occurrences of its start;
 * -1 otherwise. Comparing a slice with === (a memory compare) is several times cheaper per character
 * than indexOf or startsWith with a whole long needle.
 */
function findPiece(source: string, piece: string, from: number): number {
  if (piece.length === 0) return from;
  const start = piece.length > PIECE_PREFIX * 2 ? piece.slice(0, PIECE_PREFIX) : piece.charAt(0);
  let at = source.indexOf(start, from);
  for (let tries = 0; at !== -1 && tries < MAX_PIECE_TRIES; tries++) {
    if (source.slice(at, at + piece.length) === piece) return at;
    at = source.indexOf(start, at + 1);
  }
  return -1;
}

/**
 * Most texts hold no secret, so they are only checked by the candidate tests: the built-in formats
 * by their anchors, other patterns merged. The patterns run one by one only on texts that have a
 * match.
 */
export function createTextRedactor(patterns: readonly RegExp[]): TextRedactor {
  // Global copies: a non-global RegExp would only replace the first match.
  const replacers = patterns.map((pattern) =>
    pattern.global
      ? new RegExp(pattern.source, pattern.flags)
      : new RegExp(pattern.source, `${pattern.flags}g`),
  );
  // The built-in formats among `patterns` (the same RegExp objects) are found by their anchors.
  const known = DEFAULT_SECRET_FORMATS.filter((format) => patterns.includes(format.pattern));
  const anchored = known.length > 0 ? createAnchoredTest(known) : () => false;
  const tests = candidateTests(
    patterns.filter((pattern) => !known.some((format) => format.pattern === pattern)),
  );
  const mayMatch = (text: string): boolean => anchored(text) || tests.some((test) => test.test(text));
  const joinable = patterns.every(isContextFree);
  const mayMatchAny = (texts: readonly string[]): boolean =>
    joinable && texts.length > 1 ? mayMatch(texts.join('\n')) : texts.some(mayMatch);

  return {
    redact(text) {
      if (!mayMatch(text)) return text;
      let result = text;
      for (const pattern of replacers) {
        pattern.lastIndex = 0;
        if (!pattern.test(result)) continue;
        pattern.lastIndex = 0;
        result = result.replace(pattern, REDACTED);
      }
      return result;
    },
    mayMatch,
    // One scan of the joined texts instead of one per text: SSE messages and headers come by the dozen.
    mayMatchAny,
    // A context-free pattern matching inside a piece would match the same characters in the source,
    // whose neighbours look the same to `\b` as the piece's edges: the source would not be clean.
    mayMatchAnyOutside(texts, cleanSource) {
      if (!joinable) return mayMatchAny(texts);
      const rest: string[] = [];
      let cursor = 0;
      for (const text of texts) {
        const at = findPiece(cleanSource, text, cursor);
        if (at !== -1 && isNonWordAt(cleanSource, at - 1) && isNonWordAt(cleanSource, at + text.length)) {
          cursor = at + text.length;
        } else {
          rest.push(text);
        }
      }
      return rest.length > 0 && mayMatchAny(rest);
    },
    contextFree: joinable,
  };
}
