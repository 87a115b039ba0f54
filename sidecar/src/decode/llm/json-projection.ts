/**
 * Fast reading of the small JSON objects of LLM event streams (one per SSE event, hundreds per
 * response), where `JSON.parse` was the decoder's largest cost.
 *
 * A reader declares the keys it uses (a `JsonShape`) and gets only those (`JsonProjector.parse`).
 * The events of a stream share a few layouts that differ only in their string and number values, so
 * each layout seen twice becomes a template: one anchored regular expression (the event text with
 * every string and number replaced by a pattern matching exactly the valid JSON tokens of that type)
 * plus a plan that builds the projection from its captures. An event matching a template is thus
 * validated and read by the native regex engine, without building the values no reader uses. Other
 * events are read by a strict scanner; whatever it does not handle goes to `JSON.parse`. Either way a
 * reader sees exactly the values `JSON.parse` would give.
 */
import { ownCopy } from '../own-copy.js';
import { asObject, type JsonObject } from './json.js';

/**
 * The keys of an object a reader uses: `true` takes the whole value; a nested shape takes only
 * those keys of the value when it is an object, or of each object in it when it is an array.
 */
export interface JsonShape {
  readonly [key: string]: JsonShape | true;
}

/** A shape prepared for scanning: its keys, and the nested shape of each (undefined = whole value). */
interface CompiledShape {
  keys: string[];
  nested: (CompiledShape | undefined)[];
}

/** How to build one value of a projection from the string and number values of its event. */
type PlanNode =
  | { kind: 'object'; keys: string[]; values: PlanNode[] }
  | { kind: 'array'; items: PlanNode[] }
  /** `raw[group]`: a number literal, or the contents of a string literal. */
  | { kind: 'number' | 'string'; group: number }
  | { kind: 'literal'; value: boolean | null };

interface Template {
  pattern: RegExp;
  plan: PlanNode;
}

/** Layouts kept per shape; a stream uses a handful (first, content, last, usage events). */
const MAX_TEMPLATES = 8;
/** Layouts counted while waiting for their second sighting; the count restarts when full. */
const MAX_CANDIDATES = 64;
/** Longer events are left to JSON.parse, without a template. */
const MAX_TEMPLATE_TEXT = 4096;
/** Deeper values are left to JSON.parse (LLM events nest a few levels; this bounds the recursion). */
const MAX_DEPTH = 64;

/** A JSON string literal's contents: no raw quote, backslash or control character; valid escapes only. */
const STRING_CONTENTS = '[^"\\\\\\x00-\\x1f]*(?:\\\\(?:["\\\\/bfnrt]|u[0-9A-Fa-f]{4})[^"\\\\\\x00-\\x1f]*)*';
const NUMBER = '-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?';
const REGEX_SYNTAX = /[.*+?^${}()|[\]\\/]/g;

export class JsonProjector {
  private readonly shape: CompiledShape;
  /** Most recently matched first. */
  private readonly templates: Template[] = [];
  private readonly candidates = new Map<string, number>();

  constructor(shape: JsonShape) {
    this.shape = compileShape(shape);
  }

  /**
   * `text` as a JSON object with only the keys of the shape (others are absent), or undefined when
   * it is not a JSON object. Reading a key path of the shape from the result gives the same value
   * as reading it from `JSON.parse(text)`; nothing else is promised.
   */
  parse(text: string): JsonObject | undefined {
    const templates = this.templates;
    for (let i = 0; i < templates.length; i++) {
      const template = templates[i];
      const match = template.pattern.exec(text);
      if (!match) continue;
      if (i > 0) {
        templates.splice(i, 1);
        templates.unshift(template);
      }
      return build(template.plan, match) as JsonObject;
    }
    // A long event (a final response object, say) is rare, and JSON.parse reads long strings faster.
    if (text.length > MAX_TEMPLATE_TEXT) return parseWhole(text);
    const scan = new EventScanner(text).scan(this.shape);
    if (!scan) return parseWhole(text);
    this.learn(scan);
    return build(scan.plan, scan.raw) as JsonObject;
  }

  /** Makes a template of a layout on its second sighting. */
  private learn(scan: ScanResult): void {
    const seen = this.candidates.get(scan.source) ?? 0;
    if (seen === 0) {
      if (this.candidates.size >= MAX_CANDIDATES) this.candidates.clear();
      this.candidates.set(scan.source, 1);
      return;
    }
    this.candidates.delete(scan.source);
    this.templates.unshift({ pattern: new RegExp(scan.source), plan: detached(scan.plan) });
    if (this.templates.length > MAX_TEMPLATES) this.templates.pop();
  }
}

function compileShape(shape: JsonShape): CompiledShape {
  const keys = Object.keys(shape);
  return {
    keys,
    nested: keys.map((key) => {
      const value = shape[key];
      return value === true ? undefined : compileShape(value);
    }),
  };
}

/** The plan with its keys copied: a template outlives the event (and the body) its keys were cut from. */
function detached(node: PlanNode): PlanNode {
  switch (node.kind) {
    case 'object':
      return { kind: 'object', keys: node.keys.map(ownCopy), values: node.values.map(detached) };
    case 'array':
      return { kind: 'array', items: node.items.map(detached) };
    default:
      return node;
  }
}

function parseWhole(text: string): JsonObject | undefined {
  try {
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** The value `node` stands for; `raw` holds the token texts, by capture group (index 0 unused). */
function build(node: PlanNode, raw: ArrayLike<string>): unknown {
  switch (node.kind) {
    case 'string': {
      const contents = raw[node.group];
      return contents.includes('\\') ? JSON.parse(`"${contents}"`) : contents;
    }
    case 'number':
      // A valid JSON number literal converts the same way with Number() as with JSON.parse.
      return Number(raw[node.group]);
    case 'literal':
      return node.value;
    case 'array': {
      const items: unknown[] = [];
      for (const item of node.items) items.push(build(item, raw));
      return items;
    }
    case 'object': {
      // In order, so a repeated key ends with its last value, as with JSON.parse.
      const object: JsonObject = {};
      for (let i = 0; i < node.keys.length; i++) object[node.keys[i]] = build(node.values[i], raw);
      return object;
    }
  }
}

interface ScanResult {
  plan: PlanNode;
  /** The token texts the plan refers to, as the template's capture groups would hold them. */
  raw: string[];
  /** Source of the template regex for this layout. */
  source: string;
}

/** The scanner gave up: the text is invalid, or valid in a way it leaves to JSON.parse. */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp();

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/**
 * One pass over an event: validates it as strictly as JSON.parse, reads the values the shape uses,
 * and writes the template source of its layout.
 */
class EventScanner {
  private pos = 0;
  /** Set by `skipString`: the literal held a backslash escape. */
  private escaped = false;
  /** Like a regex match: index 0 is the whole text, then one entry per capture group. */
  private readonly raw: string[] = [''];
  private readonly source: string[] = ['^'];
  /** Start of the text not yet copied (escaped) into `source`. */
  private copied = 0;

  constructor(private readonly text: string) {}

  scan(shape: CompiledShape): ScanResult | undefined {
    try {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== OPEN_BRACE) return undefined;
      const plan = this.object(shape, 0);
      this.skipWhitespace();
      if (this.pos !== this.text.length) return undefined;
      this.copyTo(this.pos);
      this.source.push('$');
      return { plan, raw: this.raw, source: this.source.join('') };
    } catch (error) {
      if (error === GIVE_UP) return undefined;
      throw error;
    }
  }

  /** At `{`: an object with the keys of `shape` (every key when `shape` is undefined). */
  private object(shape: CompiledShape | undefined, depth: number): PlanNode {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const text = this.text;
    const node: PlanNode = { kind: 'object', keys: [], values: [] };
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      return node;
    }
    for (;;) {
      if (text.charCodeAt(this.pos) !== QUOTE) throw GIVE_UP;
      const keyStart = this.pos;
      this.skipString();
      // Keys stay literal in the template; an escaped one is decoded for comparison.
      const key = this.escaped
        ? (JSON.parse(text.slice(keyStart, this.pos)) as string)
        : text.slice(keyStart + 1, this.pos - 1);
      // Assigning `__proto__` would set the prototype, where JSON.parse makes a property.
      if (key === '__proto__') throw GIVE_UP;
      this.skipWhitespace();
      if (text.charCodeAt(this.pos) !== COLON) throw GIVE_UP;
      this.pos++;
      this.skipWhitespace();
      const index = shape ? shape.keys.indexOf(key) : -1;
      if (shape && index === -1) this.skipValue(depth + 1);
      else {
        node.keys.push(key);
        node.values.push(this.value(shape ? shape.nested[index] : undefined, depth + 1));
      }
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos++);
      if (c === CLOSE_BRACE) return node;
      if (c !== COMMA) throw GIVE_UP;
      this.skipWhitespace();
    }
  }

  /** A used value: objects projected on `shape` (whole when undefined), arrays element by element. */
  private value(shape: CompiledShape | undefined, depth: number): PlanNode {
    const text = this.text;
    const start = this.pos;
    const c = text.charCodeAt(start);
    if (c === OPEN_BRACE) return this.object(shape, depth);
    if (c === OPEN_BRACKET) return this.array(shape, depth);
    if (c === QUOTE) {
      this.skipString();
      return this.capture(start, false, text.slice(start + 1, this.pos - 1));
    }
    if (c === MINUS || isDigit(c)) {
      this.skipNumber();
      return this.capture(start, true, text.slice(start, this.pos));
    }
    return { kind: 'literal', value: this.skipLiteral() };
  }

  private array(shape: CompiledShape | undefined, depth: number): PlanNode {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const node: PlanNode = { kind: 'array', items: [] };
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos++;
      return node;
    }
    for (;;) {
      node.items.push(this.value(shape, depth + 1));
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.pos++);
      if (next === CLOSE_BRACKET) return node;
      if (next !== COMMA) throw GIVE_UP;
      this.skipWhitespace();
    }
  }

  /** A used string or number token that ended at `pos`: a capture group in the template, a value in the plan. */
  private capture(start: number, isNumber: boolean, raw: string): PlanNode {
    this.tokenPattern(start, isNumber, true);
    this.raw.push(raw);
    return { kind: isNumber ? 'number' : 'string', group: this.raw.length - 1 };
  }

  /** The template pattern of the string or number token `text[start..pos)`. */
  private tokenPattern(start: number, isNumber: boolean, capturing: boolean): void {
    this.copyTo(start);
    const group = `(${capturing ? '' : '?:'}${isNumber ? NUMBER : STRING_CONTENTS})`;
    this.source.push(isNumber ? group : `"${group}"`);
    this.copied = this.pos;
  }

  /** Copies the text up to `end` into the template as literal characters. */
  private copyTo(end: number): void {
    if (end > this.copied) this.source.push(this.text.slice(this.copied, end).replace(REGEX_SYNTAX, '\\$&'));
    this.copied = end;
  }

  /** Moves past one value no reader uses, validating it. */
  private skipValue(depth: number): void {
    const text = this.text;
    const start = this.pos;
    const c = text.charCodeAt(start);
    if (c === QUOTE) {
      this.skipString();
      this.tokenPattern(start, false, false);
    } else if (c === MINUS || isDigit(c)) {
      this.skipNumber();
      this.tokenPattern(start, true, false);
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      this.skipContainer(c === OPEN_BRACE, depth);
    } else {
      this.skipLiteral();
    }
  }

  private skipContainer(isObject: boolean, depth: number): void {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const text = this.text;
    const close = isObject ? CLOSE_BRACE : CLOSE_BRACKET;
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === close) {
      this.pos++;
      return;
    }
    for (;;) {
      if (isObject) {
        if (text.charCodeAt(this.pos) !== QUOTE) throw GIVE_UP;
        this.skipString();
        this.skipWhitespace();
        if (text.charCodeAt(this.pos) !== COLON) throw GIVE_UP;
        this.pos++;
        this.skipWhitespace();
      }
      this.skipValue(depth + 1);
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos++);
      if (c === close) return;
      if (c !== COMMA) throw GIVE_UP;
      this.skipWhitespace();
    }
  }

  /** At `"`: moves past the closing quote; sets `escaped`. Control characters and bad escapes give up. */
  private skipString(): void {
    const text = this.text;
    const length = text.length;
    let i = this.pos + 1;
    let escaped = false;
    for (;;) {
      if (i >= length) throw GIVE_UP;
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c < 0x20) throw GIVE_UP;
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      escaped = true;
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        for (let h = i + 2; h < i + 6; h++) if (!isHex(text.charCodeAt(h))) throw GIVE_UP;
        i += 6;
      } else if (
        // \" \\ \/ \b \f \n \r \t
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2;
      } else {
        throw GIVE_UP;
      }
    }
    this.pos = i + 1;
    this.escaped = escaped;
  }

  /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  private skipNumber(): void {
    const text = this.text;
    let i = this.pos;
    if (text.charCodeAt(i) === MINUS) i++;
    const first = text.charCodeAt(i);
    if (first === 0x30) i++;
    else if (isDigit(first)) {
      while (isDigit(text.charCodeAt(i))) i++;
    } else throw GIVE_UP;
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!isDigit(text.charCodeAt(i))) throw GIVE_UP;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === MINUS) i++;
      if (!isDigit(text.charCodeAt(i))) throw GIVE_UP;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    this.pos = i;
  }

  /** `true`, `false` or `null` (left literal in the template); anything else gives up. */
  private skipLiteral(): boolean | null {
    const text = this.text;
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    throw GIVE_UP;
  }

  /** Only the four JSON whitespace characters. */
  private skipWhitespace(): void {
    const text = this.text;
    let c = text.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++this.pos);
  }
}

const LITERALS: [string, boolean | null][] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
