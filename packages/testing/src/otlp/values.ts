import type { Attributes, AttrValue, InstrumentationScope } from '../types.js';

/*
 * Readers for one field of an OTLP message that came either from the protobuf decoder (ids and bytes as
 * Uint8Array, 64-bit integers as bigint) or from OTLP/JSON (ids as hex, bytes as base64, 64-bit integers
 * as decimal strings or numbers). Absent fields read as their proto3 default; a field of the wrong type
 * throws, so a broken sender fails the request loudly instead of producing half-empty data.
 */

export class InvalidOtlpError extends Error {
  override name = 'InvalidOtlpError';
}

export type OtlpMessage = Record<string, unknown>;

export function messageOf(value: unknown, field: string): OtlpMessage {
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) {
    return value as OtlpMessage;
  }
  throw invalid(field, 'a message', value);
}

export function messagesOf(value: unknown, field: string): OtlpMessage[] {
  return listOf(value, field).map((item, i) => messageOf(item, `${field}[${i}]`));
}

export function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  throw invalid(field, 'a string', value);
}

export function flag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  throw invalid(field, 'a boolean', value);
}

/** A 64-bit integer field (timestamps, counts, int values) as bigint; signedness is the caller's concern. */
export function int64(value: unknown, field: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'bigint') return value;
  if (
    (typeof value === 'number' && Number.isInteger(value)) ||
    (typeof value === 'string' && /^-?\d+$/.test(value))
  ) {
    return BigInt(value);
  }
  throw invalid(field, 'an integer', value);
}

/** Integers known to be small (enums, counts of buckets, scale): always a number. */
export function int(value: unknown, field: string): number {
  return Number(int64(value, field));
}

/** OTLP/JSON spells non-finite doubles as "NaN", "Infinity", "-Infinity". */
export function double(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  throw invalid(field, 'a number', value);
}

/** Trace and span ids: bytes in protobuf, hex in OTLP/JSON; always lowercase hex out, '' when unset. */
export function hexId(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'string' && /^(?:[0-9a-fA-F]{2})*$/.test(value)) return value.toLowerCase();
  throw invalid(field, 'a hex id', value);
}

export function attributesOf(value: unknown, field: string): Attributes {
  const out: Attributes = {};
  for (const [i, kv] of messagesOf(value, field).entries()) {
    out[text(kv.key, `${field}[${i}].key`)] = anyValue(kv.value, `${field}[${i}].value`);
  }
  return out;
}

export function scopeOf(value: unknown, field: string): InstrumentationScope {
  const scope = messageOf(value, field);
  return { name: text(scope.name, `${field}.name`), version: text(scope.version, `${field}.version`) };
}

export function resourceOf(value: unknown, field: string): Attributes {
  return attributesOf(messageOf(value, field).attributes, `${field}.attributes`);
}

function anyValue(value: unknown, field: string): AttrValue {
  const v = messageOf(value, field);
  if (v.stringValue !== undefined) return text(v.stringValue, `${field}.stringValue`);
  if (v.boolValue !== undefined) return flag(v.boolValue, `${field}.boolValue`);
  if (v.intValue !== undefined) {
    const big = BigInt.asIntN(64, int64(v.intValue, `${field}.intValue`));
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(big)
      : big;
  }
  if (v.doubleValue !== undefined) return double(v.doubleValue, `${field}.doubleValue`);
  if (v.arrayValue !== undefined) {
    const values = messageOf(v.arrayValue, `${field}.arrayValue`).values;
    return listOf(values, `${field}.arrayValue.values`).map((item, i) =>
      anyValue(item, `${field}.arrayValue.values[${i}]`),
    );
  }
  if (v.kvlistValue !== undefined) {
    return attributesOf(
      messageOf(v.kvlistValue, `${field}.kvlistValue`).values,
      `${field}.kvlistValue.values`,
    );
  }
  if (v.bytesValue !== undefined) return bytes(v.bytesValue, `${field}.bytesValue`);
  return null;
}

function bytes(value: unknown, field: string): Uint8Array {
  // Copy: decoded bytes are views into the request body.
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (typeof value === 'string') return new Uint8Array(Buffer.from(value, 'base64'));
  throw invalid(field, 'bytes', value);
}

export function listOf(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  throw invalid(field, 'a list', value);
}

function invalid(field: string, expected: string, value: unknown): InvalidOtlpError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  return new InvalidOtlpError(`${field}: expected ${expected}, got ${shown}`);
}

/** The resource and scope every item of an OTLP export request is reported under. */
export interface ScopedOrigin {
  resource: Attributes;
  scope: InstrumentationScope;
}

/**
 * Walks the resource → scope → item nesting shared by every OTLP export request
 * (`resourceSpans[].scopeSpans[].spans[]`, `resourceMetrics[].scopeMetrics[].metrics[]`),
 * calling `toItem` with each item, its field path for error messages, and its origin.
 */
export function flattenScoped<T>(
  request: OtlpMessage,
  fields: { resource: string; scope: string; items: string },
  toItem: (item: OtlpMessage, at: string, origin: ScopedOrigin) => T,
): T[] {
  const out: T[] = [];
  for (const [r, resourceEntry] of messagesOf(request[fields.resource], fields.resource).entries()) {
    const at = `${fields.resource}[${r}]`;
    const resource = resourceOf(resourceEntry.resource, `${at}.resource`);
    for (const [s, scopeEntry] of messagesOf(
      resourceEntry[fields.scope],
      `${at}.${fields.scope}`,
    ).entries()) {
      const scopeAt = `${at}.${fields.scope}[${s}]`;
      const origin = { resource, scope: scopeOf(scopeEntry.scope, `${scopeAt}.scope`) };
      for (const [i, item] of messagesOf(scopeEntry[fields.items], `${scopeAt}.${fields.items}`).entries()) {
        out.push(toItem(item, `${scopeAt}.${fields.items}[${i}]`, origin));
      }
    }
  }
  return out;
}
