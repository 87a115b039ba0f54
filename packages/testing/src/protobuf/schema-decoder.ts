import { ProtobufDecodeError, WireReader, WireType } from './wire-reader.js';

/** Scalar field types, named as in .proto files. 64-bit integers decode to bigint, the rest to number. */
export type ScalarType =
  | 'string'
  | 'bytes'
  | 'bool'
  | 'enum'
  | 'uint32'
  | 'sint32'
  | 'int64'
  | 'uint64'
  | 'fixed32'
  | 'fixed64'
  | 'sfixed64'
  | 'double';

export type FieldSpec =
  | { name: string; scalar: ScalarType; repeated?: boolean }
  // A thunk so schemas can refer to each other recursively (AnyValue -> ArrayValue -> AnyValue).
  | { name: string; message: () => MessageSchema; repeated?: boolean };

/** Field number -> how to decode it. Fields absent from the schema are skipped, as protobuf requires. */
export type MessageSchema = Readonly<Record<number, FieldSpec>>;

export type DecodedValue = string | number | bigint | boolean | Uint8Array | DecodedMessage | DecodedValue[];
export interface DecodedMessage {
  [field: string]: DecodedValue;
}

const SCALAR_WIRE_TYPE: Record<ScalarType, number> = {
  string: WireType.LEN,
  bytes: WireType.LEN,
  bool: WireType.VARINT,
  enum: WireType.VARINT,
  uint32: WireType.VARINT,
  sint32: WireType.VARINT,
  int64: WireType.VARINT,
  uint64: WireType.VARINT,
  fixed32: WireType.I32,
  fixed64: WireType.I64,
  sfixed64: WireType.I64,
  double: WireType.I64,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one message into a plain object keyed by the schema's field names. Absent fields stay absent
 * (proto3 defaults are left to the caller), repeated fields become arrays, and repeated numeric scalars
 * are accepted both packed and unpacked, as the protobuf spec requires of parsers.
 */
export function decodeMessage(bytes: Uint8Array, schema: MessageSchema): DecodedMessage {
  const reader = new WireReader(bytes);
  const out: DecodedMessage = {};
  while (!reader.done) {
    const { fieldNumber, wireType } = reader.readTag();
    const spec = schema[fieldNumber];
    if (spec === undefined) {
      reader.skip(wireType);
      continue;
    }
    let values: DecodedValue[];
    try {
      values = readField(reader, spec, wireType);
    } catch (error) {
      throw error instanceof ProtobufDecodeError ? error.within(spec.name) : error;
    }
    for (const value of values) {
      if (spec.repeated) {
        ((out[spec.name] ??= []) as DecodedValue[]).push(value);
      } else {
        // proto3: for a singular field the last occurrence wins.
        out[spec.name] = value;
      }
    }
  }
  return out;
}

function readField(reader: WireReader, spec: FieldSpec, wireType: number): DecodedValue[] {
  if ('message' in spec) {
    expectWireType(WireType.LEN, wireType);
    return [decodeMessage(reader.readLengthDelimited(), spec.message())];
  }
  const expected = SCALAR_WIRE_TYPE[spec.scalar];
  if (spec.repeated && wireType === WireType.LEN && expected !== WireType.LEN) {
    const packed = new WireReader(reader.readLengthDelimited());
    const values: DecodedValue[] = [];
    while (!packed.done) values.push(readScalar(packed, spec.scalar));
    return values;
  }
  expectWireType(expected, wireType);
  return [readScalar(reader, spec.scalar)];
}

function readScalar(reader: WireReader, type: ScalarType): DecodedValue {
  switch (type) {
    case 'string':
      return decodeUtf8(reader.readLengthDelimited());
    case 'bytes':
      return reader.readLengthDelimited();
    case 'bool':
      return reader.readVarint() !== 0n;
    case 'enum':
      return Number(BigInt.asIntN(32, reader.readVarint()));
    case 'uint32':
      return Number(BigInt.asUintN(32, reader.readVarint()));
    case 'sint32': {
      const raw = reader.readVarint();
      return Number(BigInt.asIntN(32, (raw >> 1n) ^ -(raw & 1n)));
    }
    case 'int64':
      return BigInt.asIntN(64, reader.readVarint());
    case 'uint64':
      return reader.readVarint();
    case 'fixed32':
      return reader.readFixed32();
    case 'fixed64':
      return reader.readFixed64();
    case 'sfixed64':
      return BigInt.asIntN(64, reader.readFixed64());
    case 'double':
      return reader.readDouble();
  }
}

/** proto3 strings must be valid UTF-8; a sender emitting anything else has a bug worth surfacing. */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtobufDecodeError(`invalid UTF-8 in ${bytes.length}-byte string`);
  }
}

function expectWireType(expected: number, actual: number): void {
  if (expected !== actual) throw new ProtobufDecodeError(`wire type ${actual}, expected ${expected}`);
}
