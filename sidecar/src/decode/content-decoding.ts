import * as zlib from 'node:zlib';
import { headerTokens } from './http1/headers.js';

export interface ContentDecodeResult {
  body: Buffer;
  /** Set when the body could not be decoded; `body` is then the raw bytes as received. */
  problem?: string;
}

/**
 * Undoes the codings applied to a body (`codings` lists them in the order applied, as in
 * `Content-Encoding`: gzip, deflate, br), last first. Flush modes accept a body cut short by the
 * capture (what was decoded so far is kept); output is capped at `maxBytes`.
 */
export function decodeContent(body: Buffer, codings: string, maxBytes: number): ContentDecodeResult {
  const applied = headerTokens(codings).filter((coding) => coding !== 'identity');
  if (applied.length === 0 || body.length === 0) return { body };
  let decoded = body;
  for (let i = applied.length - 1; i >= 0; i--) {
    try {
      decoded = decodeOne(decoded, applied[i], maxBytes);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { body, problem: `content-encoding ${applied[i]} could not be decoded: ${reason}` };
    }
  }
  return { body: decoded };
}

function decodeOne(body: Buffer, coding: string, maxBytes: number): Buffer {
  const zlibOptions = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: maxBytes };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body, zlibOptions);
    case 'deflate':
      // RFC 9110 says zlib-wrapped, but some servers send raw deflate: the first byte tells them apart.
      return (body[0] & 0x0f) === 8
        ? zlib.inflateSync(body, zlibOptions)
        : zlib.inflateRawSync(body, zlibOptions);
    case 'br':
      return zlib.brotliDecompressSync(body, {
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
        maxOutputLength: maxBytes,
      });
    default:
      throw new Error('unsupported coding');
  }
}
