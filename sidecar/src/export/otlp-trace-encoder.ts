import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanEventRecord, SpanRecord } from '../correlate/span-record.js';
import {
  int64Size,
  ProtobufWriter,
  putBytes,
  putHex,
  putUtf8,
  putVarint32,
  utf8Length,
  varintSize,
} from './protobuf-writer.js';

export interface InstrumentationScope {
  name: string;
  version?: string;
}

/*
 * Wire tags (field number << 3 | wire type) of opentelemetry/proto trace/v1, common/v1 and
 * collector/trace/v1, named message_field. Every field used here is below 16 (one byte) but Span.flags.
 */
const REQUEST_RESOURCE_SPANS = 0x0a;
const RESOURCE_SPANS_RESOURCE = 0x0a;
const RESOURCE_SPANS_SCOPE_SPANS = 0x12;
const RESOURCE_SPANS_SCHEMA_URL = 0x1a;
const RESOURCE_ATTRIBUTES = 0x0a;
const SCOPE_SPANS_SCOPE = 0x0a;
const SCOPE_SPANS_SPANS = 0x12;
const SCOPE_NAME = 0x0a;
const SCOPE_VERSION = 0x12;
const SPAN_TRACE_ID = 0x0a;
const SPAN_SPAN_ID = 0x12;
const SPAN_TRACE_STATE = 0x1a;
const SPAN_PARENT_SPAN_ID = 0x22;
const SPAN_NAME = 0x2a;
const SPAN_KIND = 0x30;
const SPAN_START_TIME = 0x39;
const SPAN_END_TIME = 0x41;
const SPAN_ATTRIBUTES = 0x4a;
const SPAN_EVENTS = 0x5a;
const SPAN_DROPPED_EVENTS_COUNT = 0x60;
const SPAN_STATUS = 0x7a;
/** Span.flags is field 16 (fixed32): its tag varint takes two bytes. */
const SPAN_FLAGS = [0x85, 0x01] as const;
const EVENT_TIME = 0x09;
const EVENT_NAME = 0x12;
const EVENT_ATTRIBUTES = 0x1a;
const STATUS_MESSAGE = 0x12;
const STATUS_CODE = 0x18;
const KEY_VALUE_KEY = 0x0a;
const KEY_VALUE_VALUE = 0x12;
const KEY_VALUE_LIST_VALUES = 0x0a;
const ARRAY_VALUES = 0x0a;
const ANY_STRING = 0x0a;
const ANY_BOOL = 0x10;
const ANY_INT = 0x18;
const ANY_DOUBLE = 0x21;
const ANY_ARRAY = 0x2a;
const ANY_KVLIST = 0x32;
const ANY_BYTES = 0x3a;

/** Span.flags: the low byte holds the W3C trace flags; 0x100 says 0x200 (parent is remote) is meaningful. */
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;
/** int_value covers integers in [-2^63, 2^63); other numbers go as double_value, as the OTel SDK does. */
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;
/** Spans usually take 128 B–16 KiB, so two bytes are reserved for their length. */
const SPAN_LENGTH_RESERVE = 2;
/** Room before the first span for the tags and lengths of the request's ResourceSpans and its ScopeSpans. */
const HEADER_LENGTH_RESERVE = 2 * (1 + 5);
/** Tag and length of a KeyValue, plus the tag and length of its value, at most. */
const KEY_VALUE_HEAD_MAX = 1 + 5 + 1 + 5;
const hasOwn = Object.prototype.hasOwnProperty;
/** Attribute keys come from a fixed set; the bound only guards against a caller inventing keys forever. */
const MAX_CACHED_KEYS = 4096;
/** Repeated KeyValues up to this size are kept encoded; bodies and messages are not worth it. */
const MAX_REPEATED_BYTES = 256;

/** What the encoder keeps per attribute key. */
interface KeyEntry {
  name: string;
  /** The KeyValue.key field: tag, length, UTF-8. */
  key: Buffer;
  /** The last scalar value written under the key. */
  lastValue: unknown;
  /** Its KeyValue (from the length on, without the tag), once it was written twice in a row. */
  repeated: Buffer | undefined;
}

/**
 * Encodes an OTLP ExportTraceServiceRequest straight from SpanRecords, in one pass over one reused
 * buffer. All spans go under one resource and scope, encoded once; attribute keys and values that
 * repeat are kept encoded too. Values are typed as the OTel JS serializer types them: integers in
 * int64 range as int_value, other numbers as double_value, arrays as array_value, Uint8Array as
 * bytes_value, plain objects as kvlist_value, null and undefined as an empty AnyValue. Fields at
 * their zero value are left out, as proto3 allows.
 */
export class TraceRequestEncoder {
  private readonly writer = new ProtobufWriter();
  private readonly keys = new Map<string, KeyEntry>();
  /** The entries of the keys last written, by position in their attributes object. */
  private readonly recentKeys: KeyEntry[] = [];
  private readonly resource: Buffer;
  private readonly scope: Buffer;
  private readonly resourceSchemaUrl: Buffer;

  constructor(resource: Resource, scope: InstrumentationScope) {
    const w = this.writer;
    this.resource = this.encodeNested(RESOURCE_SPANS_RESOURCE, () =>
      this.writeAttributes(RESOURCE_ATTRIBUTES, resource.attributes),
    );
    this.scope = this.encodeNested(SCOPE_SPANS_SCOPE, () => {
      w.byte(SCOPE_NAME);
      w.string(scope.name);
      if (scope.version) {
        w.byte(SCOPE_VERSION);
        w.string(scope.version);
      }
    });
    w.reset();
    if (resource.schemaUrl) {
      w.byte(RESOURCE_SPANS_SCHEMA_URL);
      w.string(resource.schemaUrl);
    }
    this.resourceSchemaUrl = w.copy(0, w.pos);
  }

  /** One request holding `spans`; the returned bytes are the caller's (the writer is reused). */
  encode(spans: readonly SpanRecord[]): Buffer {
    const w = this.writer;
    w.reset();
    // Spans first, after room for the headers: their lengths are only known once the spans are written.
    const headerRoom = HEADER_LENGTH_RESERVE + this.resource.length + this.scope.length;
    w.ensure(headerRoom);
    w.pos = headerRoom;
    for (const span of spans) this.writeSpan(span);
    const spansEnd = w.pos;
    w.raw(this.resourceSchemaUrl);
    const end = w.pos;

    const scopeSpansLength = this.scope.length + (spansEnd - headerRoom);
    const resourceSpansLength =
      this.resource.length +
      1 +
      varintSize(scopeSpansLength) +
      scopeSpansLength +
      this.resourceSchemaUrl.length;
    const start =
      headerRoom -
      (1 + varintSize(resourceSpansLength) + this.resource.length + 1 + varintSize(scopeSpansLength)) -
      this.scope.length;
    w.pos = start;
    w.byte(REQUEST_RESOURCE_SPANS);
    w.uint32(resourceSpansLength);
    w.raw(this.resource);
    w.byte(RESOURCE_SPANS_SCOPE_SPANS);
    w.uint32(scopeSpansLength);
    w.raw(this.scope);
    return w.copy(start, end);
  }

  private writeSpan(span: SpanRecord): void {
    const w = this.writer;
    const { placement } = span;
    const { traceId, spanId, parentSpanId, traceState } = placement;
    const nameBytes = utf8Length(span.name);
    const traceStateBytes = traceState ? utf8Length(traceState) : 0;
    const idBytes = (traceId.length + spanId.length + (parentSpanId?.length ?? 0)) >>> 1;
    // The span's tag and reserved length, then five fields of at most tag + 5-byte length + body.
    w.ensure(1 + SPAN_LENGTH_RESERVE + 5 * 6 + idBytes + traceStateBytes + nameBytes);
    const buffer = w.buffer;
    let pos = w.pos;
    buffer[pos++] = SCOPE_SPANS_SPANS;
    const mark = pos;
    pos += SPAN_LENGTH_RESERVE;
    pos = putHexField(buffer, pos, SPAN_TRACE_ID, traceId);
    pos = putHexField(buffer, pos, SPAN_SPAN_ID, spanId);
    if (traceState) {
      buffer[pos++] = SPAN_TRACE_STATE;
      pos = putUtf8(buffer, putVarint32(buffer, pos, traceStateBytes), traceState, traceStateBytes);
    }
    if (parentSpanId) pos = putHexField(buffer, pos, SPAN_PARENT_SPAN_ID, parentSpanId);
    buffer[pos++] = SPAN_NAME;
    w.pos = putUtf8(buffer, putVarint32(buffer, pos, nameBytes), span.name, nameBytes);
    w.byte(SPAN_KIND);
    w.uint32(span.kind + 1);
    w.byte(SPAN_START_TIME);
    w.fixed64(span.startNs);
    w.byte(SPAN_END_TIME);
    w.fixed64(span.endNs);
    this.writeAttributes(SPAN_ATTRIBUTES, span.attributes);
    for (const event of span.events) this.writeEvent(event);
    if (span.droppedEvents > 0) {
      w.byte(SPAN_DROPPED_EVENTS_COUNT);
      w.uint32(span.droppedEvents);
    }
    const { code, message } = span.status;
    w.byte(SPAN_STATUS);
    const status = w.begin(1);
    if (message) {
      w.byte(STATUS_MESSAGE);
      w.string(message);
    }
    if (code) {
      w.byte(STATUS_CODE);
      w.uint32(code);
    }
    w.end(status, 1);
    // A parent is flagged remote, as the SDK path did: the app's span, or a process span sent on its own.
    w.byte(SPAN_FLAGS[0]);
    w.byte(SPAN_FLAGS[1]);
    w.fixed32(
      (placement.traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (placement.parentSpanId ? FLAGS_IS_REMOTE : 0),
    );
    w.end(mark, SPAN_LENGTH_RESERVE);
  }

  private writeEvent(event: SpanEventRecord): void {
    const w = this.writer;
    w.byte(SPAN_EVENTS);
    const mark = w.begin(1);
    w.byte(EVENT_TIME);
    w.fixed64(event.tsNs);
    w.byte(EVENT_NAME);
    w.string(event.name);
    this.writeAttributes(EVENT_ATTRIBUTES, event.attributes);
    w.end(mark, 1);
  }

  /**
   * Each attribute as a KeyValue under `tag`. Most of an exchange's attributes repeat from span to
   * span (method, server, pid, status…): a value seen twice in a row under a key is kept encoded.
   */
  private writeAttributes(tag: number, attributes: Attributes): void {
    const w = this.writer;
    const recent = this.recentKeys;
    let index = 0;
    for (const key in attributes) {
      if (!hasOwn.call(attributes, key)) continue;
      const value = attributes[key];
      // Spans of one kind list their keys in the same order: the key at this position last time is
      // usually this one, and comparing two constant strings is cheaper than a Map lookup.
      let entry = recent[index];
      if (entry === undefined || entry.name !== key) {
        entry = this.keyEntry(key);
        recent[index] = entry;
      }
      index++;
      const repeated = entry.repeated;
      if (repeated !== undefined && value === entry.lastValue) {
        w.ensure(1 + repeated.length);
        w.buffer[w.pos] = tag;
        w.pos = putBytes(w.buffer, w.pos + 1, repeated);
        continue;
      }
      const start = w.pos;
      if (!this.writeScalarKeyValue(tag, entry.key, value)) {
        this.writeKeyValue(tag, entry.key, value);
        continue;
      }
      if (value !== entry.lastValue) {
        entry.lastValue = value;
        entry.repeated = undefined;
      } else if (w.pos - start <= MAX_REPEATED_BYTES) {
        entry.repeated = w.copy(start + 1, w.pos);
      }
    }
  }

  /** A string, number or boolean KeyValue with every length known up front; false for other values. */
  private writeScalarKeyValue(tag: number, keyBytes: Buffer, value: unknown): boolean {
    const w = this.writer;
    switch (typeof value) {
      case 'string': {
        const bytes = utf8Length(value);
        const valueLength = 1 + varintSize(bytes) + bytes;
        w.ensure(KEY_VALUE_HEAD_MAX + keyBytes.length + valueLength);
        const buffer = w.buffer;
        const pos = putKeyValueHead(buffer, w.pos, tag, keyBytes, valueLength);
        buffer[pos] = ANY_STRING;
        w.pos = putUtf8(buffer, putVarint32(buffer, pos + 1, bytes), value, bytes);
        return true;
      }
      case 'number': {
        const isInt = Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64;
        const valueLength = isInt ? 1 + int64Size(value) : 9;
        w.ensure(KEY_VALUE_HEAD_MAX + keyBytes.length + valueLength);
        const pos = putKeyValueHead(w.buffer, w.pos, tag, keyBytes, valueLength);
        w.buffer[pos] = isInt ? ANY_INT : ANY_DOUBLE;
        w.pos = pos + 1;
        if (isInt) w.int64(value);
        else w.double(value);
        return true;
      }
      case 'boolean': {
        w.ensure(KEY_VALUE_HEAD_MAX + keyBytes.length + 2);
        const buffer = w.buffer;
        const pos = putKeyValueHead(buffer, w.pos, tag, keyBytes, 2);
        buffer[pos] = ANY_BOOL;
        buffer[pos + 1] = value ? 1 : 0;
        w.pos = pos + 2;
        return true;
      }
      default:
        return false;
    }
  }

  /** Any KeyValue; the lengths of nested values are back-patched. */
  private writeKeyValue(tag: number, keyBytes: Buffer, value: unknown): void {
    const w = this.writer;
    w.byte(tag);
    const keyValue = w.begin(1);
    w.raw(keyBytes);
    w.byte(KEY_VALUE_VALUE);
    const anyValue = w.begin(1);
    this.writeAnyValue(value);
    w.end(anyValue, 1);
    w.end(keyValue, 1);
  }

  /** The body of an AnyValue of any type (arrays and maps nest; their lengths are back-patched). */
  private writeAnyValue(value: unknown): void {
    const w = this.writer;
    switch (typeof value) {
      case 'string':
        w.byte(ANY_STRING);
        w.string(value);
        return;
      case 'boolean':
        w.byte(ANY_BOOL);
        w.byte(value ? 1 : 0);
        return;
      case 'number':
        if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
          w.byte(ANY_INT);
          w.int64(value);
        } else {
          w.byte(ANY_DOUBLE);
          w.double(value);
        }
        return;
    }
    if (value instanceof Uint8Array) {
      w.byte(ANY_BYTES);
      w.uint32(value.length);
      w.raw(value);
    } else if (Array.isArray(value)) {
      w.byte(ANY_ARRAY);
      const array = w.begin(1);
      for (const item of value) {
        w.byte(ARRAY_VALUES);
        const element = w.begin(1);
        this.writeAnyValue(item);
        w.end(element, 1);
      }
      w.end(array, 1);
    } else if (typeof value === 'object' && value !== null) {
      w.byte(ANY_KVLIST);
      const list = w.begin(1);
      this.writeAttributes(KEY_VALUE_LIST_VALUES, value as Attributes);
      w.end(list, 1);
    }
    // null and undefined: an AnyValue with no value set.
  }

  /** The cache entry of `key`, made on first sight (not kept past MAX_CACHED_KEYS keys). */
  private keyEntry(key: string): KeyEntry {
    const cached = this.keys.get(key);
    if (cached) return cached;
    const bytes = utf8Length(key);
    const prefix = 1 + varintSize(bytes);
    const encoded = Buffer.allocUnsafe(prefix + bytes);
    encoded[0] = KEY_VALUE_KEY;
    putVarint32(encoded, 1, bytes);
    encoded.write(key, prefix, bytes, 'utf8');
    const entry: KeyEntry = { name: key, key: encoded, lastValue: undefined, repeated: undefined };
    if (this.keys.size < MAX_CACHED_KEYS) this.keys.set(key, entry);
    return entry;
  }

  /** Runs `write` and returns what it wrote as a complete field: `tag`, length, body. */
  private encodeNested(tag: number, write: () => void): Buffer {
    const w = this.writer;
    w.reset();
    w.byte(tag);
    const mark = w.begin(1);
    write();
    w.end(mark, 1);
    return w.copy(0, w.pos);
  }
}

/** A bytes field from a hex id: tag, length, bytes. */
function putHexField(buffer: Buffer, pos: number, tag: number, hex: string): number {
  buffer[pos] = tag;
  return putHex(buffer, putVarint32(buffer, pos + 1, hex.length >>> 1), hex);
}

/**
 * A KeyValue's tag and length, its key, and its value's tag and length, given the length of the
 * AnyValue that follows; the caller made room for KEY_VALUE_HEAD_MAX + key + value.
 */
function putKeyValueHead(
  buffer: Buffer,
  pos: number,
  tag: number,
  keyBytes: Buffer,
  valueLength: number,
): number {
  buffer[pos] = tag;
  let end = putVarint32(buffer, pos + 1, keyBytes.length + 1 + varintSize(valueLength) + valueLength);
  end = putBytes(buffer, end, keyBytes);
  buffer[end] = KEY_VALUE_VALUE;
  return putVarint32(buffer, end + 1, valueLength);
}
