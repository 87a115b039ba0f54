import { isUtf8 } from 'node:buffer';

/**
 * Makes a record JSON-safe: bigint → decimal string; a Buffer under key `k` → text under `k`
 * plus `kEncoding: 'utf8' | 'base64'` (base64 only when the bytes are not valid UTF-8).
 */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    if (Buffer.isBuffer(field)) {
      const utf8 = isUtf8(field);
      out[key] = field.toString(utf8 ? 'utf8' : 'base64');
      out[`${key}Encoding`] = utf8 ? 'utf8' : 'base64';
    } else {
      out[key] = toJsonValue(field);
    }
  }
  return out;
}

/** One JSONL line: `type` first, then the record's fields. */
export function toJsonLine(type: string, record: object): string {
  return `${JSON.stringify({ type, ...(toJsonValue(record) as object) })}\n`;
}
