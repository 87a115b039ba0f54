import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

/** A request the receiver refuses, with the HTTP status that says why. */
export class RejectedRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RejectedRequest';
  }
}

// Bound memory: a runaway exporter in a test should fail the request, not the test process.
const MAX_BODY_BYTES = 64 * 1024 * 1024;

type Decompress = (input: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;
const decompressors: Record<string, Decompress> = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

/** Reads the whole body as sent on the wire. */
export async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RejectedRequest(413, `body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Undoes content-encoding (gzip, deflate, br; identity or none passes through). */
export async function decodeContentEncoding(
  raw: Buffer,
  contentEncoding: string | undefined,
): Promise<Buffer> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  const decompress = decompressors[encoding];
  if (decompress === undefined) throw new RejectedRequest(415, `unsupported content-encoding '${encoding}'`);
  try {
    return await decompress(raw, { maxOutputLength: MAX_BODY_BYTES });
  } catch (error) {
    throw new RejectedRequest(400, `body is not valid ${encoding}: ${(error as Error).message}`);
  }
}
