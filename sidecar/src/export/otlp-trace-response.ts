/** What a collector reported it did not accept from an otherwise successful export. */
export interface TracePartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** A bounds-checked cursor over one protobuf message; malformed input throws. */
class ProtobufReader {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** A varint as a number (exact up to 2^53, which any count here stays below). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) throw new Error('truncated varint');
      const byte = this.bytes[this.pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new Error('varint longer than 10 bytes');
  }

  lengthDelimited(): Uint8Array {
    const length = this.varint();
    if (this.pos + length > this.bytes.length) throw new Error('truncated length-delimited field');
    const body = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return body;
  }

  skip(wireType: number): void {
    if (wireType === WIRE_VARINT) this.varint();
    else if (wireType === WIRE_LENGTH_DELIMITED) this.lengthDelimited();
    else if (wireType === WIRE_FIXED64 || wireType === WIRE_FIXED32) {
      this.pos += wireType === WIRE_FIXED64 ? 8 : 4;
      if (this.pos > this.bytes.length) throw new Error('truncated fixed-width field');
    } else throw new Error(`unsupported wire type ${wireType}`);
  }
}

/**
 * Reads ExportTraceServiceResponse.partial_success (field 1: rejected_spans = 1, error_message = 2).
 * Undefined when absent or empty: the specification uses an empty message for full success.
 */
export function decodeTracePartialSuccess(response: Uint8Array): TracePartialSuccess | undefined {
  let partial: Uint8Array | undefined;
  const outer = new ProtobufReader(response);
  while (!outer.atEnd()) {
    const tag = outer.varint();
    if (tag === ((1 << 3) | WIRE_LENGTH_DELIMITED)) partial = outer.lengthDelimited();
    else outer.skip(tag & 7);
  }
  if (!partial) return undefined;
  let rejectedSpans = 0;
  let errorMessage = '';
  const inner = new ProtobufReader(partial);
  while (!inner.atEnd()) {
    const tag = inner.varint();
    if (tag === ((1 << 3) | WIRE_VARINT)) rejectedSpans = inner.varint();
    else if (tag === ((2 << 3) | WIRE_LENGTH_DELIMITED)) {
      errorMessage = Buffer.from(inner.lengthDelimited()).toString('utf8');
    } else inner.skip(tag & 7);
  }
  return rejectedSpans > 0 || errorMessage ? { rejectedSpans, errorMessage } : undefined;
}
