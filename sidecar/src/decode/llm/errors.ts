import type { LlmCall } from '../types.js';
import { asObject, asString, type JsonObject } from './json.js';

const MAX_ERROR_MESSAGE = 500;

/** Provider error from a JSON body (`{error: {type|code, message}}`, the OpenAI and Anthropic shape). */
export function errorFromJson(json: JsonObject | undefined): LlmCall['error'] {
  const error = asObject(json?.error);
  if (!error) return undefined;
  return {
    type: asString(error.type) ?? asString(error.code) ?? 'error',
    message: asString(error.message) ?? '',
  };
}

/** Error for an HTTP status >= 400, from its JSON body when there is one, else from the status. */
export function errorFromResponse(
  status: number,
  json: JsonObject | undefined,
  bodyText: string,
): NonNullable<LlmCall['error']> {
  return (
    errorFromJson(json) ?? {
      type: `http_${status}`,
      message: bodyText.slice(0, MAX_ERROR_MESSAGE),
    }
  );
}
