import { memoizeBounded } from '../bounded-memo.js';

/** Header names whose values are credentials. Names are compared lower-cased. */
export const DEFAULT_SENSITIVE_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'cookie',
  'set-cookie',
  'x-auth-token',
  'x-access-token',
  'x-session-token',
  'openai-api-key',
  'anthropic-api-key',
];

/** Any name containing one of these is treated as a credential too (x-goog-api-key, x-amz-security-token, ...). */
const SENSITIVE_NAME_PARTS = ['secret', 'token', 'password', 'api-key', 'apikey'];

/**
 * Trace context carries no secret, and rate-limit headers (`x-ratelimit-remaining-tokens`,
 * `anthropic-ratelimit-input-tokens-limit`) are counts that operators need.
 */
function isExempt(name: string): boolean {
  return (
    name === 'traceparent' || name === 'tracestate' || name === 'x-trace-id' || name.includes('ratelimit')
  );
}

/** Header names remembered with their verdict: the same few dozen names come with every request. */
const MAX_REMEMBERED_NAMES = 1024;

export function createHeaderMatcher(extraNames: readonly string[] = []): (name: string) => boolean {
  const exact = new Set([...DEFAULT_SENSITIVE_HEADERS, ...extraNames.map((name) => name.toLowerCase())]);
  const decide = (name: string): boolean => {
    const key = name.toLowerCase();
    if (exact.has(key)) return true;
    if (isExempt(key)) return false;
    return SENSITIVE_NAME_PARTS.some((part) => key.includes(part));
  };
  return memoizeBounded(decide, MAX_REMEMBERED_NAMES);
}
