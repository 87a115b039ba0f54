/*
 * Below these sizes a JS loop beats the fixed cost of a native call (Buffer#write, TypedArray#set),
 * measured on Node 20: strings are mostly short (methods, hosts, ids), copied encodings are not.
 */
const SHORT_STRING = 24;
const SHORT_BYTES = 8;
const INITIAL_CAPACITY = 64 * 1024;
/** A buffer grown past this (huge bodies on spans) is not kept for the next request. */
const RETAINED_CAPACITY = 4 * 1024 * 1024;

/** Hex digit → value; anything else reads as 0 (ids are validated where they enter the sidecar). */
const HEX_VALUES = new Uint8Array(128);
for (let i = 0; i < 10; i++) HEX_VALUES[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUES[97 + i] = 10 + i;
  HEX_VALUES[65 + i] = 10 + i;
}

/** Bytes of a varint for an integer in [0, 2^32). */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Bytes of an int64 varint for an integer in [-2^63, 2^63): negatives always take ten. */
export function int64Size(value: number): number {
  if (value < 0) return 10;
  if (value < 0x100000000) return varintSize(value);
  let size = 5;
  for (let high = Math.floor(value / 0x800000000); high > 0; high = Math.floor(high / 0x80)) size++;
  return size;
}

/** UTF-8 length of a string as Buffer and TextEncoder write it (a lone surrogate becomes U+FFFD). */
export function utf8Length(s: string): number {
  const length = s.length;
  if (length > SHORT_STRING) return Buffer.byteLength(s, 'utf8');
  let bytes = length;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: two units, four bytes
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/** Writes the varint of an integer in [0, 2^32) at `pos`, where the caller made room; returns the new end. */
export function putVarint32(buffer: Uint8Array, pos: number, value: number): number {
  let v = value >>> 0;
  while (v > 0x7f) {
    buffer[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buffer[pos++] = v;
  return pos;
}

/** Writes `bytes` at `pos`, where the caller made room; returns the new end. */
export function putBytes(buffer: Uint8Array, pos: number, bytes: Uint8Array): number {
  const length = bytes.length;
  if (length > SHORT_BYTES) {
    buffer.set(bytes, pos);
    return pos + length;
  }
  for (let i = 0; i < length; i++) buffer[pos++] = bytes[i];
  return pos;
}

/**
 * Writes the UTF-8 of `value` (whose utf8Length the caller measured as `bytes`) at `pos`, where the
 * caller made room; returns the new end.
 */
export function putUtf8(buffer: Buffer, pos: number, value: string, bytes: number): number {
  const length = value.length;
  if (length > SHORT_STRING) return pos + buffer.write(value, pos, bytes, 'utf8');
  for (let i = 0; i < length; i++) {
    let c = value.charCodeAt(i);
    if (c < 0x80) {
      buffer[pos++] = c;
    } else if (c < 0x800) {
      buffer[pos++] = 0xc0 | (c >> 6);
      buffer[pos++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c < 0xe000) {
        const next = i + 1 < length ? value.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && (next & 0xfc00) === 0xdc00) {
          const codePoint = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          buffer[pos++] = 0xf0 | (codePoint >> 18);
          buffer[pos++] = 0x80 | ((codePoint >> 12) & 0x3f);
          buffer[pos++] = 0x80 | ((codePoint >> 6) & 0x3f);
          buffer[pos++] = 0x80 | (codePoint & 0x3f);
          i++;
          continue;
        }
        c = 0xfffd; // a lone surrogate has no UTF-8 form
      }
      buffer[pos++] = 0xe0 | (c >> 12);
      buffer[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buffer[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

/** Writes the bytes of an even-length hex string (a trace or span id) at `pos`; returns the new end. */
export function putHex(buffer: Uint8Array, pos: number, hex: string): number {
  for (let i = 0; i < hex.length - 1; i += 2) {
    buffer[pos++] = (HEX_VALUES[hex.charCodeAt(i) & 0x7f] << 4) | HEX_VALUES[hex.charCodeAt(i + 1) & 0x7f];
  }
  return pos;
}

/**
 * Appends protobuf wire-format values to one growing buffer, reused from request to request.
 * Nested messages whose length is not known up front are written with begin()/end(): end() fills in
 * the length and moves the body only when its varint turned out longer or shorter than reserved.
 */
export class ProtobufWriter {
  /** Exposed for callers that ensure() room once and then put*() several values directly. */
  buffer = Buffer.allocUnsafeSlow(INITIAL_CAPACITY);
  private view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  pos = 0;

  /** Makes room for `bytes` more bytes after `pos`. */
  ensure(bytes: number): void {
    if (this.pos + bytes > this.buffer.length) this.grow(this.pos + bytes);
  }

  /** A copy of bytes [start, end): the caller may hold it while the writer is reused. */
  copy(start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(end - start);
    this.buffer.copy(out, 0, start, end);
    return out;
  }

  /** Starts over; drops a buffer that one huge request grew far beyond the usual size. */
  reset(): void {
    this.pos = 0;
    if (this.buffer.length > RETAINED_CAPACITY) this.replaceBuffer(INITIAL_CAPACITY);
  }

  /** One byte: a single-byte tag (field number below 16) or a small constant. */
  byte(value: number): void {
    this.ensure(1);
    this.buffer[this.pos++] = value;
  }

  /** Varint of an integer in [0, 2^32): tags, lengths, counts, enums. */
  uint32(value: number): void {
    this.ensure(5);
    this.pos = putVarint32(this.buffer, this.pos, value);
  }

  /** Varint of an int64 in [-2^63, 2^63); negatives in two's complement, as protobuf's int64. */
  int64(value: number): void {
    if (value >= 0 && value < 0x100000000) {
      this.uint32(value);
      return;
    }
    this.ensure(10);
    const magnitude = Math.abs(value);
    let low = magnitude >>> 0;
    let high = Math.floor(magnitude / 0x100000000) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    const buffer = this.buffer;
    while (high > 0 || low > 0x7f) {
      buffer[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[this.pos++] = low;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /** A fixed64 from a bigint (nanosecond timestamps); values outside uint64 wrap, as in protobuf. */
  fixed64(value: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, value, true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** A length-prefixed UTF-8 string. */
  string(value: string): void {
    const bytes = utf8Length(value);
    this.ensure(5 + bytes);
    this.pos = putUtf8(this.buffer, putVarint32(this.buffer, this.pos, bytes), value, bytes);
  }

  /** Bytes already in wire format (a cached encoding), or a bytes field's payload. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.pos = putBytes(this.buffer, this.pos, bytes);
  }

  /** Starts a length-delimited body, reserving `reserve` bytes for its length; returns the mark for end(). */
  begin(reserve: number): number {
    this.ensure(reserve);
    const mark = this.pos;
    this.pos += reserve;
    return mark;
  }

  /** Writes the length of the body started at `mark`, moving the body if the reservation was off. */
  end(mark: number, reserve: number): void {
    const bodyStart = mark + reserve;
    const length = this.pos - bodyStart;
    const size = varintSize(length);
    if (size !== reserve) {
      if (size > reserve) this.ensure(size - reserve);
      this.buffer.copyWithin(mark + size, bodyStart, this.pos);
      this.pos += size - reserve;
    }
    putVarint32(this.buffer, mark, length);
  }

  private grow(needed: number): void {
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const previous = this.buffer;
    this.replaceBuffer(capacity);
    previous.copy(this.buffer, 0, 0, this.pos);
  }

  private replaceBuffer(capacity: number): void {
    this.buffer = Buffer.allocUnsafeSlow(capacity);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  }
}
