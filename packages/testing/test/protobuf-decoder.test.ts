import { describe, expect, it } from 'vitest';
import { decodeMessage, type MessageSchema } from '../src/protobuf/schema-decoder.js';

// Hand-built wire bytes for encodings the OTel JS exporter never produces but other senders
// (Go/Python SDKs, the collector) legitimately do.
const tag = (field: number, wireType: number): number => (field << 3) | wireType;
const fixed64 = (value: bigint): number[] => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return [...bytes];
};
const TEN_BYTE_MINUS_ONE = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];

const schema: MessageSchema = {
  1: { name: 'counts', scalar: 'fixed64', repeated: true },
  2: { name: 'kind', scalar: 'enum' },
  3: { name: 'offset', scalar: 'sint32' },
  4: { name: 'name', scalar: 'string' },
  5: { name: 'delta', scalar: 'int64' },
};

describe('decodeMessage', () => {
  it('reads unpacked repeated scalars, negative enums/int64 and zigzag sint32', () => {
    const bytes = new Uint8Array([
      ...[tag(1, 1), ...fixed64(7n)],
      ...[tag(1, 1), ...fixed64(2n ** 64n - 1n)],
      ...[tag(2, 0), ...TEN_BYTE_MINUS_ONE],
      ...[tag(3, 0), 0x03], // zigzag(-2)
      ...[tag(5, 0), ...TEN_BYTE_MINUS_ONE],
    ]);
    expect(decodeMessage(bytes, schema)).toEqual({
      counts: [7n, 2n ** 64n - 1n],
      kind: -1,
      offset: -2,
      delta: -1n,
    });
  });

  it('skips unknown fields of every wire type and keeps the last singular value', () => {
    const bytes = new Uint8Array([
      ...[tag(9, 0), 0x96, 0x01],
      ...[tag(10, 1), ...fixed64(1n)],
      ...[tag(11, 2), 2, 0xaa, 0xbb],
      ...[tag(12, 5), 1, 2, 3, 4],
      ...[tag(4, 2), 1, 0x61],
      ...[tag(4, 2), 2, 0x68, 0x69],
    ]);
    expect(decodeMessage(bytes, schema)).toEqual({ name: 'hi' });
  });

  it('rejects truncated input, invalid UTF-8 and mismatched wire types with the field path', () => {
    expect(() => decodeMessage(new Uint8Array([tag(1, 1), 1, 2, 3]), schema)).toThrow(
      'counts: need 8 bytes, only 3 left at byte 1',
    );
    expect(() => decodeMessage(new Uint8Array([tag(4, 2), 1, 0xff]), schema)).toThrow(
      'name: invalid UTF-8 in 1-byte string',
    );
    expect(() => decodeMessage(new Uint8Array([tag(4, 0), 1]), schema)).toThrow(
      'name: wire type 0, expected 2',
    );
    expect(() => decodeMessage(new Uint8Array([tag(9, 3)]), schema)).toThrow('unsupported wire type 3');
  });
});
