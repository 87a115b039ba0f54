import type { HttpRequestRecord, LlmCall } from '../types.js';

export interface DetectedApi {
  provider: LlmCall['provider'];
  api: LlmCall['api'];
}

/**
 * Which LLM wire API a request targets, from its path suffix (so proxy and Azure-style prefixes such as
 * `/openai/deployments/x/chat/completions` match) and, for the provider, its headers and host.
 */
export function detectLlmApi(
  request: Pick<HttpRequestRecord, 'method' | 'target' | 'headers'>,
): DetectedApi | undefined {
  if (request.method !== 'POST') return undefined;
  const path = trimmedPath(request.target);
  // Most traffic is not an LLM call: decide that before looking at headers.
  let api: LlmCall['api'];
  if (path.endsWith('/chat/completions')) api = 'chat.completions';
  else if (path.endsWith('/responses')) api = 'responses';
  else if (path.endsWith('/embeddings')) api = 'embeddings';
  else if (path.endsWith('/messages')) api = 'messages';
  else return undefined;
  const headers = request.headers;
  const anthropicHost = /anthropic/i.test(headers.host ?? '');
  if (api !== 'messages') {
    // OpenAI-shaped APIs are also served by other vendors (Anthropic has an OpenAI-compatible endpoint).
    return { provider: anthropicHost ? 'anthropic' : 'openai', api };
  }
  const anthropicHints =
    anthropicHost ||
    headers['anthropic-version'] !== undefined ||
    (headers['x-api-key'] !== undefined && headers.authorization === undefined);
  return anthropicHints || path.endsWith('/v1/messages') ? { provider: 'anthropic', api } : undefined;
}

/** The target without its query and trailing slashes. */
function trimmedPath(target: string): string {
  const query = target.indexOf('?');
  let end = query === -1 ? target.length : query;
  while (end > 0 && target.charCodeAt(end - 1) === 0x2f) end--;
  return end === target.length ? target : target.slice(0, end);
}

/** The request body has the shape of that API (guards against unrelated endpoints with the same path). */
export function bodyMatchesApi(api: LlmCall['api'], body: Record<string, unknown>): boolean {
  switch (api) {
    case 'chat.completions':
    case 'messages':
      return Array.isArray(body.messages);
    case 'responses':
      return body.input !== undefined || body.previous_response_id !== undefined || body.prompt !== undefined;
    case 'embeddings':
      return body.input !== undefined;
  }
}
