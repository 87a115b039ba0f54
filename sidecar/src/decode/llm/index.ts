/** Recognises LLM API calls in HTTP exchanges and rebuilds them as `LlmCall`s. */

import { ownCopy } from '../own-copy.js';
import type { HttpRequestRecord, HttpResponseRecord, LlmCall } from '../types.js';
import { anthropicMessages } from './anthropic-messages.js';
import type { LlmApiDecoder } from './api.js';
import { bodyMatchesApi, detectLlmApi } from './detect.js';
import { errorFromResponse } from './errors.js';
import { parseJsonObject } from './json.js';
import { openAiChat } from './openai-chat.js';
import { openAiEmbeddings } from './openai-embeddings.js';
import { openAiResponses } from './openai-responses.js';

const DECODERS: Record<LlmCall['api'], LlmApiDecoder> = {
  'chat.completions': openAiChat,
  responses: openAiResponses,
  embeddings: openAiEmbeddings,
  messages: anthropicMessages,
};

/**
 * The LLM call in this exchange, or undefined when it is not one. A request body that cannot be parsed
 * still counts when it was cut short (the path alone identifies the call); a complete body must have
 * the API's shape.
 */
export function buildLlmCall(
  request: HttpRequestRecord,
  response: HttpResponseRecord | undefined,
): LlmCall | undefined {
  const detected = detectLlmApi(request);
  if (!detected) return undefined;
  const body = parseJsonObject(request.body.toString('utf8'));
  if (body ? !bodyMatchesApi(detected.api, body) : request.complete) return undefined;

  const decoder = DECODERS[detected.api];
  const call: LlmCall = {
    provider: detected.provider,
    operation: 'chat',
    api: detected.api,
    stream: false,
    request: {},
    inputMessages: [],
    outputText: '',
    toolCalls: [],
    finishReasons: [],
    usage: {},
  };
  if (body) decoder.readRequest(call, body);
  if (!response) return call;
  if (response.sse) {
    call.stream = true;
    decoder.readStream(call, response.sse);
    detachSpanStrings(call);
    return call;
  }
  const text = response.body.toString('utf8');
  const json = parseJsonObject(text);
  if (response.status >= 400) call.error = errorFromResponse(response.status, json, text);
  else if (json) decoder.readResponse(call, json);
  return call;
}

/**
 * Values read from stream events are cut from the whole response body. Those that go on spans, which
 * can wait in an export queue long after the exchange, are copied so they do not keep the body alive.
 */
function detachSpanStrings(call: LlmCall): void {
  if (call.responseId !== undefined) call.responseId = ownCopy(call.responseId);
  if (call.responseModel !== undefined) call.responseModel = ownCopy(call.responseModel);
  call.finishReasons = call.finishReasons.map(ownCopy);
  if (call.error) call.error = { type: ownCopy(call.error.type), message: ownCopy(call.error.message) };
}
