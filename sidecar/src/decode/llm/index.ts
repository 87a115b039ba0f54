/** Recognises LLM API calls in HTTP exchanges and rebuilds them as `LlmCall`s. */
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
    return call;
  }
  const text = response.body.toString('utf8');
  const json = parseJsonObject(text);
  if (response.status >= 400) call.error = errorFromResponse(response.status, json, text);
  else if (json) decoder.readResponse(call, json);
  return call;
}
