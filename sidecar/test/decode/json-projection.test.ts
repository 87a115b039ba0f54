import { describe, expect, it } from 'vitest';
import { JsonProjector, type JsonShape } from '../../src/decode/llm/json-projection.js';
import { createPrng } from '../../src/decode/synthetic.js';

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** What the projector promises: JSON.parse, then only the shape's keys (reference implementation). */
function referenceProjection(text: string, shape: JsonShape): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  return project(parsed, shape);
}

function project(value: unknown, shape: JsonShape | true): unknown {
  if (shape === true || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => project(item, shape));
  const result: Record<string, unknown> = {};
  for (const [key, nested] of Object.entries(shape)) {
    if (Object.hasOwn(value, key)) result[key] = project((value as Record<string, unknown>)[key], nested);
  }
  return result;
}

const CHAT_SHAPE: JsonShape = {
  error: true,
  id: true,
  model: true,
  choices: { index: true, delta: { content: true, refusal: true, tool_calls: true }, finish_reason: true },
  usage: true,
};

/** Strings that stress the string pattern: escapes of every kind, unicode, lone surrogates. */
const STRINGS = [
  '',
  'plain words',
  'quote " inside',
  'back\\slash',
  'new\nline\ttab\r\b\f',
  'slash / solidus',
  'é ü 漢字 😀',
  '\u2028\u2029',
  '\ud800 lone high',
  '\udc00 lone low',
  '\u0000\u001f controls',
  '{"nested":"json"}',
  'sk-not-a-key',
];
const NUMBERS = [0, -0, 1, -1, 42, 3.5, -0.25, 1e21, 1.5e-7, 123456789012, Number.MAX_SAFE_INTEGER];

function randomString(random: Random): string {
  return random() < 0.7
    ? pick(random, STRINGS)
    : Array.from({ length: Math.floor(random() * 12) }, () =>
        String.fromCharCode(Math.floor(random() * (random() < 0.8 ? 128 : 0x10000))),
      ).join('');
}

function randomValue(random: Random, depth: number): unknown {
  const r = random();
  if (depth > 3 || r < 0.35) return randomString(random);
  if (r < 0.55) return pick(random, NUMBERS);
  if (r < 0.65) return pick(random, [true, false, null]);
  if (r < 0.8) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  return randomObject(random, depth + 1);
}

const KEYS = ['id', 'model', 'choices', 'index', 'delta', 'content', 'tool_calls', 'usage', 'x', 'é', ''];

function randomObject(random: Random, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--) object[pick(random, KEYS)] = randomValue(random, depth);
  return object;
}

/** A chat chunk with random values, in one of a few layouts (so templates get reused). */
function randomChunk(random: Random): unknown {
  const delta: Record<string, unknown> = { content: randomString(random) };
  if (random() < 0.2) {
    delta.tool_calls = [{ index: 0, function: { arguments: randomString(random) } }];
  }
  const chunk: Record<string, unknown> = {
    id: `chatcmpl-${Math.floor(random() * 1000)}`,
    object: 'chat.completion.chunk',
    created: Math.floor(random() * 1e10),
    model: pick(random, ['gpt-4o', 'gpt-4o-mini']),
    choices: [{ index: pick(random, [0, 1]), delta, finish_reason: random() < 0.1 ? 'stop' : null }],
  };
  if (random() < 0.1) chunk.usage = { prompt_tokens: 12, completion_tokens: pick(random, NUMBERS) };
  if (random() < 0.2) chunk.obfuscation = randomString(random);
  return chunk;
}

/** Invalid JSON derived from valid text: truncation, a flipped byte, junk around it. */
function mutate(random: Random, text: string): string {
  switch (Math.floor(random() * 6)) {
    case 0:
      return text.slice(0, Math.floor(random() * text.length));
    case 1: {
      const at = Math.floor(random() * text.length);
      const junk = pick(random, ['"', '\\', '\n', '\u0001', ',', '}', ']', '0', 'x', ' ', '-', 'e', '.']);
      return text.slice(0, at) + junk + text.slice(at + 1);
    }
    case 2:
      return `${text},`;
    case 3:
      return `${text} \t\r\n`;
    case 4:
      return text.replace(/\d/, '0$&');
    default:
      return text.replace('"', "'");
  }
}

/**
 * Parses every text three times: first sighting (scanner), second (learns), third (template). The
 * projector may return more keys when it fell back to JSON.parse: the shape's keys are compared.
 */
function expectSameAsJsonParse(projector: JsonProjector, shape: JsonShape, texts: string[]): void {
  for (let pass = 0; pass < 3; pass++) {
    for (const text of texts) {
      const parsed = projector.parse(text);
      const value = parsed === undefined ? undefined : project(parsed, shape);
      expect({ text, value }).toStrictEqual({ text, value: referenceProjection(text, shape) });
    }
  }
}

describe('JsonProjector', () => {
  it('reads the shape keys exactly like JSON.parse, with and without templates', () => {
    const projector = new JsonProjector(CHAT_SHAPE);
    expectSameAsJsonParse(projector, CHAT_SHAPE, [
      '{"id":"a","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}',
      '{"id":"b","choices":[{"index":0,"delta":{"content":"caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ \\/"},"finish_reason":null}]}',
      '{"id":"c","choices":[{"index":0,"delta":{"content":"\\n"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2.5e3}}',
      '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\":"}}]}}]}',
      '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}',
      '{"error":{"type":"server_error","message":"overloaded"}}',
      '{"id":"dup","id":7,"choices":"not an array","choices":[1,[2],{"delta":[{"content":"in array"}]}]}',
      ' {"id" : "spaced" , "choices" : [ ] } ',
      '{"__proto__":{"polluted":true},"id":"proto"}',
      '{"constructor":1,"toString":"x","id":"names"}',
      '{"\\u0069d":"escaped key","model":"m"}',
      '{"id":-0,"model":1E+2,"usage":{"a":[-1.5e-3,0,{"b":null}]}}',
      '{"id":"truncated","choices":[{"index":0,"delta":{"content":"ab',
      '{"id":"bad escape \\x"}',
      '{"id":"raw\ttab"}',
      '{"id":01}',
      '{"id":1.}',
      '{"id":.5}',
      '{"id":"x",}',
      '{"id":"x"} trailing',
      '{"id":tru}',
      '[1,2,3]',
      '"just a string"',
      '{}',
      '',
    ]);
  });

  it('matches JSON.parse on random values, random layouts and their invalid mutations', () => {
    const random = createPrng(11);
    const shapes: JsonShape[] = [
      CHAT_SHAPE,
      { type: true, index: true, delta: { type: true, text: true, partial_json: true }, usage: true },
      { x: { id: true, content: { model: true } }, '': true, é: true },
    ];
    for (const shape of shapes) {
      const projector = new JsonProjector(shape);
      const texts: string[] = [];
      for (let i = 0; i < 300; i++) {
        const text = JSON.stringify(random() < 0.5 ? randomChunk(random) : randomObject(random, 0));
        texts.push(text, mutate(random, text));
      }
      expectSameAsJsonParse(projector, shape, texts);
    }
  });

  it('applies a learned layout to other values, rejecting what JSON.parse rejects', () => {
    const projector = new JsonProjector(CHAT_SHAPE);
    const layout = (content: string) =>
      `{"id":"x","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}`;
    // Learned from plain text, then fed escapes, unicode, and invalid contents of the same layout.
    expectSameAsJsonParse(projector, CHAT_SHAPE, [
      layout('one'),
      layout('two'),
      layout('\\u00e9\\n\\"'),
      layout('😀 漢字'),
      layout('\\u12'),
      layout('\\q'),
      layout('a"b'),
      layout('tab\there'),
      layout('new\nline'),
      layout('ends with backslash\\'),
    ]);
  });

  it('stays exact when every event has a new layout', () => {
    const projector = new JsonProjector(CHAT_SHAPE);
    const texts = Array.from({ length: 500 }, (_, i) => `{"id":"x","k${i}":${i},"choices":[]}`);
    expectSameAsJsonParse(projector, CHAT_SHAPE, texts);
  });
});
