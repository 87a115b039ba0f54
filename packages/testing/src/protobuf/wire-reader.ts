/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure). */
export const WireType = {
  VARINT: 0,
  I64: 1,
  LEN: 2,
  I32: 5,
} as const;

/**
 * Malformed input. `path` names the enclosing fields (outermost first) so a failure deep inside an
 * OTLP request reads like `resourceSpans.scopeSpans.spans.attributes: truncated varint at byte 7`;
 * byte offsets are relative to the innermost message.
 */
export class ProtobufDecodeError extends Error {
  constructor(
    readonly detail: string,
    readonly path: readonly string[] = [],
  ) {
    super(path.length > 0 ? `${path.join('.')}: ${detail}` : detail);
    this.name = 'ProtobufDecodeError';
  }

  within(field: string): ProtobufDecodeError {
    return new ProtobufDecodeError(this.detail, [field, ...this.path]);
  }
}

export interface Tag {
  fieldNumber: number;
  wireType: number;
}

/**
 * Sequential reader over one protobuf message. Every read is bounds-checked so truncated or corrupt
 * input surfaces as a ProtobufDecodeError naming the offset, instead of garbage values.
 */
export class WireReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  readTag(): Tag {
    const start = this.pos;
    const key = this.readVarint();
    const fieldNumber = Number(key >> 3n);
    if (fieldNumber === 0 || fieldNumber > 0x1fffffff) {
      throw new ProtobufDecodeError(`invalid field number ${fieldNumber} at byte ${start}`);
    }
    return { fieldNumber, wireType: Number(key & 7n) };
  }

  /** Unsigned 64-bit varint; callers reinterpret it (int32, int64, sint32, bool) as the field requires. */
  readVarint(): bigint {
    const start = this.pos;
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.byteAt(this.pos++, start);
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new ProtobufDecodeError(`varint longer than 10 bytes at byte ${start}`);
  }

  readFixed32(): number {
    this.require(4);
    const value = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return value;
  }

  readFixed64(): bigint {
    this.require(8);
    const value = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return value;
  }

  readDouble(): number {
    this.require(8);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** Length-delimited payload, returned as a view into the underlying buffer (no copy). */
  readLengthDelimited(): Uint8Array {
    const start = this.pos;
    const length = this.readVarint();
    if (length > BigInt(this.buf.length - this.pos)) {
      throw new ProtobufDecodeError(
        `length ${length} exceeds remaining ${this.buf.length - this.pos} bytes at byte ${start}`,
      );
    }
    const bytes = this.buf.subarray(this.pos, this.pos + Number(length));
    this.pos += bytes.length;
    return bytes;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.readVarint();
        return;
      case WireType.I64:
        this.require(8);
        this.pos += 8;
        return;
      case WireType.LEN:
        this.readLengthDelimited();
        return;
      case WireType.I32:
        this.require(4);
        this.pos += 4;
        return;
      default:
        // Groups (3/4) are proto2-only and never appear in OTLP.
        throw new ProtobufDecodeError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  private byteAt(index: number, start: number): number {
    if (index >= this.buf.length) throw new ProtobufDecodeError(`truncated varint at byte ${start}`);
    return this.buf[index];
  }

  private require(bytes: number): void {
    if (this.pos + bytes > this.buf.length) {
      throw new ProtobufDecodeError(
        `need ${bytes} bytes, only ${this.buf.length - this.pos} left at byte ${this.pos}`,
      );
    }
  }
}
