import type { LlmCall } from '../types.js';
import { asArray, asNumber, asString, type JsonObject } from './json.js';

/** Sampling parameters shared by the APIs; `maxTokensKeys` lists the API's names for the token limit. */
export function readRequestParams(call: LlmCall, body: JsonObject, maxTokensKeys: string[]): void {
  call.requestModel = asString(body.model);
  call.stream = body.stream === true;
  // Only the parameters present are set: deleting absent ones would slow every later use of the object.
  const request: LlmCall['request'] = {};
  let maxTokens: number | undefined;
  for (const key of maxTokensKeys) maxTokens ??= asNumber(body[key]);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = asNumber(body.temperature);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = asNumber(body.top_p);
  if (topP !== undefined) request.topP = topP;
  const seed = asNumber(body.seed);
  if (seed !== undefined) request.seed = seed;
  const stop = body.stop ?? body.stop_sequences;
  const single = asString(stop);
  const stops =
    single !== undefined ? [single] : asArray(stop).filter((s): s is string => typeof s === 'string');
  if (stops.length > 0) request.stopSequences = stops;
  call.request = request;
}
