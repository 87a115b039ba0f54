import type { HttpRequestRecord, LlmCall } from '../types.js';

export interface DetectedApi {
  provider: LlmCall['provider'];
  api: LlmCall['api'];
}

/**
 * Which LLM wire API a request targets, from its path suffix (so proxy and Azure-style prefixes such as
 * `/openai/deployments/x/chat/completions` match) and, for the provider, its headers and host.
 */
export function detectLlmApi(request: HttpRequestRecord): DetectedApi | undefined {
  if (request.method !== 'POST') return undefined;
  const query = request.target.indexOf('?');
  const path = (query === -1 ? request.target : request.target.slice(0, query)).replace(/\/+$/, '');
  const headers = request.headers;
  const anthropicHints =
    headers['anthropic-version'] !== undefined ||
    (headers['x-api-key'] !== undefined && headers.authorization === undefined) ||
    /anthropic/i.test(headers.host ?? '');
  // OpenAI-shaped APIs are also served by other vendors (Anthropic has an OpenAI-compatible endpoint).
  const provider = /anthropic/i.test(headers.host ?? '') ? 'anthropic' : 'openai';
  if (path.endsWith('/chat/completions')) return { provider, api: 'chat.completions' };
  if (path.endsWith('/responses')) return { provider, api: 'responses' };
  if (path.endsWith('/embeddings')) return { provider, api: 'embeddings' };
  if (path.endsWith('/messages') && (anthropicHints || path.endsWith('/v1/messages'))) {
    return { provider: 'anthropic', api: 'messages' };
  }
  return undefined;
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
