/** OpenAI embeddings (`/v1/embeddings`): no output text, only input and usage. */
import type { LlmApiDecoder } from './api.js';
import { asArray, asString } from './json.js';
import { openAiUsage } from './openai-usage.js';
import { readRequestParams } from './request-params.js';

export const openAiEmbeddings: LlmApiDecoder = {
  readRequest(call, body) {
    readRequestParams(call, body, []);
    call.operation = 'embeddings';
    const single = asString(body.input);
    const inputs =
      single !== undefined ? [single] : asArray(body.input).filter((i): i is string => typeof i === 'string');
    call.inputMessages = inputs.map((content) => ({ role: 'user', content }));
  },

  readResponse(call, body) {
    call.responseModel = asString(body.model) ?? call.responseModel;
    call.usage = openAiUsage(body.usage) ?? call.usage;
  },

  readStream() {
    // Embeddings are never streamed.
  },
};
