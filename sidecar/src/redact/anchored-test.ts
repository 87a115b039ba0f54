/**
 * Whether any of the known credential formats matches a text, found by looking for each format's
 * literal anchor (indexOf of a rare character runs at memory speed) and running the format's pattern
 * only where a match could start. Running the merged patterns over every character costs several
 * times more on prose and JSON, which hold almost no anchors.
 */
import type { SecretFormat } from './secret-patterns.js';

interface AnchorGroup {
  anchor: string;
  ignoreCase: boolean;
  checks: FormatCheck[];
  /**
   * By character code (below 256), whether some check accepts that character before the anchor;
   * undefined when a check accepts any. Most anchor hits are ruled out by this one lookup.
   */
  before: Uint8Array | undefined;
}

interface FormatCheck {
  /** The format's pattern, sticky: does a match start exactly at lastIndex? */
  sticky: RegExp;
  offset: number;
  before: string | undefined;
}

export type AnchoredTest = (text: string) => boolean;

/** Exact: true when, and only when, one of the formats' patterns matches somewhere in the text. */
export function createAnchoredTest(formats: readonly SecretFormat[]): AnchoredTest {
  const groups = new Map<string, AnchorGroup>();
  for (const { pattern, anchor, offset, ignoreCase = false, before } of formats) {
    const key = `${ignoreCase ? 'i' : 's'}:${anchor}`;
    let group = groups.get(key);
    if (!group) {
      group = { anchor, ignoreCase, checks: [], before: new Uint8Array(256) };
      groups.set(key, group);
    }
    const sticky = new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}y`);
    group.checks.push({ sticky, offset, before });
    if (before === undefined || [...before].some((c) => c.charCodeAt(0) > 0xff)) group.before = undefined;
    else if (group.before) for (const c of before) group.before[c.charCodeAt(0)] = 1;
  }
  const exact = [...groups.values()].filter((group) => !group.ignoreCase);
  const folded = [...groups.values()].filter((group) => group.ignoreCase);
  return (text) => {
    if (exact.some((group) => foundWithCheck(text, text, group))) return true;
    if (folded.length === 0) return false;
    // Lower-casing keeps positions unless a character lower-cases to several (U+0130 does): then
    // the anchors are looked for case-insensitively in the text itself.
    const lower = text.toLowerCase();
    if (lower.length === text.length) return folded.some((group) => foundWithCheck(text, lower, group));
    return folded.some((group) => foundByRegex(text, group));
  };
}

/** Looks for the anchor in `searched` (the text, or its lower-case copy) and checks each place in `text`. */
function foundWithCheck(text: string, searched: string, group: AnchorGroup): boolean {
  const { anchor, checks, before } = group;
  for (let at = searched.indexOf(anchor); at !== -1; at = searched.indexOf(anchor, at + 1)) {
    if (before !== undefined && (at === 0 || before[text.charCodeAt(at - 1)] !== 1)) continue;
    if (checksPassAt(text, at, checks)) return true;
  }
  return false;
}

function foundByRegex(text: string, group: AnchorGroup): boolean {
  const anchor = new RegExp(group.anchor.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  for (let found = anchor.exec(text); found; found = anchor.exec(text)) {
    if (checksPassAt(text, found.index, group.checks)) return true;
    anchor.lastIndex = found.index + 1;
  }
  return false;
}

function checksPassAt(text: string, at: number, checks: FormatCheck[]): boolean {
  for (const check of checks) {
    const start = at - check.offset;
    if (start < 0) continue;
    if (check.before !== undefined && !check.before.includes(text.charAt(at - 1))) continue;
    check.sticky.lastIndex = start;
    if (check.sticky.test(text)) return true;
  }
  return false;
}
