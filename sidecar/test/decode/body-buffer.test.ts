import { describe, expect, it } from 'vitest';
import { BodyBuffer } from '../../src/decode/body-buffer.js';
import { createPrng } from '../../src/decode/synthetic.js';

describe('BodyBuffer', () => {
  it('keeps every body intact while many grow side by side in shared memory', () => {
    const random = createPrng(5);
    // Sizes across the shared-slab limit, declared or not, grown by appends of random length.
    const bodies = Array.from({ length: 200 }, (_, i) => {
      const size = Math.floor(random() * 20_000);
      const expected = Buffer.alloc(size, i % 251);
      for (let j = 0; j < size; j += 7) expected[j] = (i * 31 + j) % 256;
      return { expected, buffer: new BodyBuffer(1 << 20, random() < 0.5 ? size : 0), at: 0 };
    });
    let open = bodies.length;
    while (open > 0) {
      for (const body of bodies) {
        if (body.at === body.expected.length) continue;
        const end = Math.min(body.expected.length, body.at + 1 + Math.floor(random() * 3000));
        // Appends come from a larger input, as capture chunks do.
        const input = Buffer.concat([
          Buffer.from('head'),
          body.expected.subarray(body.at, end),
          Buffer.from('tail'),
        ]);
        body.buffer.append(input, 4, 4 + end - body.at);
        body.at = end;
        if (body.at === body.expected.length) open--;
      }
    }
    for (const { expected, buffer } of bodies) {
      expect(buffer.toBuffer().equals(expected)).toBe(true);
      expect(buffer.seen).toBe(expected.length);
      expect(buffer.overflow).toBe(0);
    }
  });

  it('keeps maxBytes and counts the rest', () => {
    const buffer = new BodyBuffer(10, 1000);
    buffer.append(Buffer.from('0123456789abcdef'), 2, 16);
    buffer.append(Buffer.from('xyz'), 0, 3);
    expect(buffer.toBuffer().toString()).toBe('23456789ab');
    expect(buffer.seen).toBe(17);
    expect(buffer.overflow).toBe(7);
  });
});
