/**
 * Whether any of the known credential formats matches a text, found by looking for each format's
 * literal anchor and running the format's pattern only where a match could start. Running the merged
 * patterns over every character costs several times more on prose and JSON, which hold almost no
 * anchors.
 *
 * Anchors are found by their first character: indexOf of one character runs at memory speed, and
 * formats whose anchors start alike share one pass over the text. The rest of the anchor is compared
 * at each hit, in any letter case for a case-insensitive anchor (no lower-cased copy of the text).
 */
import type { SecretFormat } from './secret-patterns.js';

interface AnchorSearch {
  /** The first character of the anchors of `checks`. */
  first: string;
  checks: FormatCheck[];
  /**
   * By character code (below 256), whether some check accepts that character before the anchor;
   * undefined when a check accepts any. Most hits are ruled out by this one lookup.
   */
  before: Uint8Array | undefined;
}

interface FormatCheck {
  /** The format's pattern, sticky: does a match start exactly at lastIndex? */
  sticky: RegExp;
  /** Characters from the start of a match to its anchor. */
  offset: number;
  before: string | undefined;
  /** The anchor after its first character. */
  tail: string;
  /** `tail` is lower-case ASCII and matches in any letter case. */
  ignoreCase: boolean;
}

export type AnchoredTest = (text: string) => boolean;

/** Exact: true when, and only when, one of the formats' patterns matches somewhere in the text. */
export function createAnchoredTest(formats: readonly SecretFormat[]): AnchoredTest {
  const searches = new Map<string, AnchorSearch>();
  const add = (first: string, check: FormatCheck): void => {
    let search = searches.get(first);
    if (!search) {
      search = { first, checks: [], before: new Uint8Array(256) };
      searches.set(first, search);
    }
    search.checks.push(check);
    const { before } = check;
    if (before === undefined || [...before].some((c) => c.charCodeAt(0) > 0xff)) search.before = undefined;
    else if (search.before) for (const c of before) search.before[c.charCodeAt(0)] = 1;
  };
  for (const { pattern, anchor, offset, ignoreCase = false, before } of formats) {
    // With the u or v flag, `i` also folds non-ASCII characters (U+212A, U+017F) onto ASCII letters.
    if (
      ignoreCase &&
      (!/^[\x20-\x7e]+$/.test(anchor) || anchor !== anchor.toLowerCase() || /[uv]/.test(pattern.flags))
    ) {
      throw new Error(
        `anchor of ${pattern}: a case-insensitive anchor must be lower-case ASCII, without u/v`,
      );
    }
    const sticky = new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}y`);
    const check = { sticky, offset, before, tail: anchor.slice(1), ignoreCase };
    const first = anchor.charAt(0);
    add(first, check);
    if (ignoreCase && first.toUpperCase() !== first) add(first.toUpperCase(), check);
  }
  const all = [...searches.values()];
  return (text) => {
    for (const search of all) if (found(text, search)) return true;
    return false;
  };
}

function found(text: string, search: AnchorSearch): boolean {
  const { first, checks, before } = search;
  for (let at = text.indexOf(first); at !== -1; at = text.indexOf(first, at + 1)) {
    if (before !== undefined && (at === 0 || before[text.charCodeAt(at - 1)] !== 1)) continue;
    if (checksPassAt(text, at, checks)) return true;
  }
  return false;
}

/** Whether a format's pattern matches where the anchor found at `at` says one would start. */
function checksPassAt(text: string, at: number, checks: FormatCheck[]): boolean {
  for (const check of checks) {
    const start = at - check.offset;
    if (start < 0) continue;
    if (check.before !== undefined && !check.before.includes(text.charAt(at - 1))) continue;
    if (!hasTail(text, at + 1, check)) continue;
    check.sticky.lastIndex = start;
    if (check.sticky.test(text)) return true;
  }
  return false;
}

/** Whether the rest of the check's anchor is at `from`. */
function hasTail(text: string, from: number, { tail, ignoreCase }: FormatCheck): boolean {
  if (!ignoreCase) return tail.length === 0 || text.startsWith(tail, from);
  for (let i = 0; i < tail.length; i++) {
    const expected = tail.charCodeAt(i);
    const c = text.charCodeAt(from + i);
    // A letter matches in either case: setting bit 0x20 maps A-Z, and nothing else, onto a-z.
    if (c !== expected && !(expected >= 0x61 && expected <= 0x7a && (c | 0x20) === expected)) return false;
  }
  return true;
}
