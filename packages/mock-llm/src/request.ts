import type { IncomingMessage } from 'node:http';
import { BadRequestError } from './errors.js';
import type { Provider, RecordedRequest, StreamShaping } from './types.js';

/** Reads the whole body and records the request as the client sent it. */
export async function recordRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const receivedAt = Date.now();
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = value;
  const recorded: RecordedRequest = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    body,
    receivedAt,
  };
  try {
    if (body !== '') recorded.json = JSON.parse(body);
  } catch {
    // Left without `json`: the server answers 400.
  }
  return recorded;
}

/** Which provider's error shape to use for a request that matched no route. */
export function guessProvider(path: string, req: IncomingMessage): Provider {
  const anthropic =
    path.startsWith('/v1/messages') ||
    req.headers['anthropic-version'] !== undefined ||
    req.headers['x-api-key'] !== undefined;
  return anthropic ? 'anthropic' : 'openai';
}

export function invalidJsonMessage(provider: Provider): string {
  return provider === 'anthropic'
    ? 'There was an issue with your request body: invalid JSON'
    : 'We could not parse the JSON body of your request. The body must be valid JSON.';
}

const SHAPING_HEADERS = {
  thinkMs: 'x-mock-think-ms',
  chunks: 'x-mock-chunks',
  chunkDelayMs: 'x-mock-chunk-delay-ms',
} as const;

/** Per-request pacing overrides, so a child process can shape its own responses. */
export function parseShapingHeaders(req: IncomingMessage): StreamShaping {
  const shaping: StreamShaping = {};
  for (const [field, header] of Object.entries(SHAPING_HEADERS) as [keyof StreamShaping, string][]) {
    const raw = req.headers[header];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0)
      throw new BadRequestError(`${header} must be a non-negative integer`);
    shaping[field] = value;
  }
  return shaping;
}

/** Merges pacing layers; later layers win, and only for the fields they set. */
export function mergeShaping(...layers: (StreamShaping | undefined)[]): StreamShaping {
  const merged: StreamShaping = {};
  for (const layer of layers) {
    for (const field of Object.keys(SHAPING_HEADERS) as (keyof StreamShaping)[]) {
      if (layer?.[field] !== undefined) merged[field] = layer[field];
    }
  }
  return merged;
}
