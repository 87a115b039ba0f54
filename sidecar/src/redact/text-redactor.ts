import { REDACTED } from './secret-patterns.js';

export interface TextRedactor {
  /**
   * Replaces every match of the patterns, applied one after the other, with '[REDACTED]'; returns
   * the same string instance when nothing matched.
   */
  redact(text: string): string;
  /** False only when `redact` would return every one of `texts` unchanged. */
  mayMatchAny(texts: readonly string[]): boolean;
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
 * Most texts hold no secret, so they are only checked by the merged candidate tests; the patterns
 * run one by one only on texts that have a match.
 */
export function createTextRedactor(patterns: readonly RegExp[]): TextRedactor {
  // Global copies: a non-global RegExp would only replace the first match.
  const replacers = patterns.map((pattern) =>
    pattern.global
      ? new RegExp(pattern.source, pattern.flags)
      : new RegExp(pattern.source, `${pattern.flags}g`),
  );
  const tests = candidateTests(patterns);
  const mayMatch = (text: string): boolean => tests.some((test) => test.test(text));
  const joinable = patterns.every(isContextFree);

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
    // One scan of the joined texts instead of one per text: SSE messages and headers come by the dozen.
    mayMatchAny: (texts) => (joinable ? mayMatch(texts.join('\n')) : texts.some(mayMatch)),
  };
}
