import type { LlmCall } from '../types.js';
import { asArray, asNumber, asString, type JsonObject } from './json.js';

/** Sampling parameters shared by the APIs; `maxTokensKeys` lists the API's names for the token limit. */
export function readRequestParams(call: LlmCall, body: JsonObject, maxTokensKeys: string[]): void {
  call.requestModel = asString(body.model);
  call.stream = body.stream === true;
  const request: LlmCall['request'] = {};
  for (const key of maxTokensKeys) request.maxTokens ??= asNumber(body[key]);
  request.temperature = asNumber(body.temperature);
  request.topP = asNumber(body.top_p);
  request.seed = asNumber(body.seed);
  const stop = body.stop ?? body.stop_sequences;
  const single = asString(stop);
  const stops =
    single !== undefined ? [single] : asArray(stop).filter((s): s is string => typeof s === 'string');
  if (stops.length > 0) request.stopSequences = stops;
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined) delete request[key as keyof typeof request];
  }
  call.request = request;
}
