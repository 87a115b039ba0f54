import { describe, expect, it } from 'vitest';
import {
  int64Size,
  ProtobufWriter,
  putHex,
  utf8Length,
  varintSize,
} from '../../src/export/protobuf-writer.js';

function written(write: (w: ProtobufWriter) => void): Buffer {
  const w = new ProtobufWriter();
  write(w);
  return w.copy(0, w.pos);
}

/** Strings of random UTF-16 units, lone and paired surrogates included, short and long. */
function randomStrings(count: number): string[] {
  let seed = 12345;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const units = [
    0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff,
  ];
  return Array.from({ length: count }, () => {
    const length = next(4) === 0 ? 20 + next(100) : next(12);
    let s = '';
    for (let i = 0; i < length; i++) {
      s += String.fromCharCode(next(3) === 0 ? units[next(units.length)] : 0x20 + next(0x5f));
    }
    return s;
  });
}

describe('ProtobufWriter', () => {
  it('writes strings as the same UTF-8 as Buffer, with its length', () => {
    for (const s of [...randomStrings(2000), '😀', 'a😀b', '\ud83d', '\ude00x', '']) {
      const expected = Buffer.from(s, 'utf8');
      expect(utf8Length(s)).toBe(expected.length);
      expect(written((w) => w.string(s))).toEqual(
        Buffer.concat([written((w) => w.uint32(expected.length)), expected]),
      );
    }
  });

  it('writes int64 varints as protobuf does, negatives in ten bytes', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [1, '01'],
      [127, '7f'],
      [128, '8001'],
      [300, 'ac02'],
      [2 ** 32 - 1, 'ffffffff0f'],
      [2 ** 32, '8080808010'],
      [2 ** 35, '808080808001'],
      [Number.MAX_SAFE_INTEGER, 'ffffffffffffff0f'],
      [2 ** 62, '808080808080808040'],
      [-1, 'ffffffffffffffffff01'],
      [-2, 'feffffffffffffffff01'],
      [-(2 ** 63), '80808080808080808001'],
    ];
    for (const [value, hex] of cases) {
      expect(written((w) => w.int64(value)).toString('hex'), String(value)).toBe(hex);
      expect(int64Size(value), String(value)).toBe(hex.length / 2);
    }
  });

  it('back-patches lengths, moving the body when the reserved room was too small or too big', () => {
    for (const [length, reserve] of [
      [5, 2],
      [5, 1],
      [200, 1],
      [200, 2],
      [20_000, 2],
      [3_000_000, 2],
    ]) {
      const body = Buffer.alloc(length, 0xab);
      const bytes = written((w) => {
        w.byte(0x0a);
        const mark = w.begin(reserve);
        w.raw(body);
        w.end(mark, reserve);
        w.byte(0x10);
      });
      expect(bytes.length).toBe(1 + varintSize(length) + length + 1);
      expect(bytes.subarray(1, 1 + varintSize(length))).toEqual(written((w) => w.uint32(length)));
      expect(bytes.subarray(1 + varintSize(length), -1).equals(body)).toBe(true);
      expect(bytes.at(-1)).toBe(0x10);
    }
  });

  it('decodes hex ids into bytes, and grows past its initial buffer without losing what it wrote', () => {
    const id = written((w) => {
      w.ensure(8);
      w.pos = putHex(w.buffer, w.pos, '00f067aa0ba902B7');
    });
    expect(id.toString('hex')).toBe('00f067aa0ba902b7');
    const w = new ProtobufWriter();
    for (let i = 0; i < 100_000; i++) w.uint32(i);
    const bytes = w.copy(0, w.pos);
    let pos = 0;
    for (let i = 0; i < 100_000; i++) {
      let value = 0;
      let shift = 0;
      let byte: number;
      do {
        byte = bytes[pos++];
        value += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      } while (byte & 0x80);
      if (value !== i) expect(value).toBe(i);
    }
    expect(pos).toBe(bytes.length);
  });
});
