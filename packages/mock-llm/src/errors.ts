import type { Provider } from './types.js';

/** Error bodies exactly as each provider shapes them. */
export function errorBody(provider: Provider, status: number, message: string): unknown {
  if (provider === 'anthropic') {
    return { type: 'error', error: { type: anthropicErrorType(status), message } };
  }
  const { type, code } = openaiErrorType(status);
  return { error: { message, type, param: null, code } };
}

function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function openaiErrorType(status: number): { type: string; code: string | null } {
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

export function defaultErrorMessage(status: number): string {
  if (status === 429) return 'Rate limit reached (mock-llm fault)';
  if (status >= 500) return 'The server had an error while processing your request (mock-llm fault)';
  return `Request failed with status ${status} (mock-llm fault)`;
}

/** A request the client got wrong; the server answers it with a provider-shaped 400. */
export class BadRequestError extends Error {}
