import type { Attributes } from '@opentelemetry/api';
import { ATTR } from '../attributes.js';
import { type OperationAdapter, type ResponseSummary, setDefined } from '../summary.js';

function summarizeEmbeddings(response: any): ResponseSummary {
  const input = response?.usage?.prompt_tokens;
  return { model: response?.model, usage: input === undefined ? undefined : { input } };
}

export const openAIEmbeddings: OperationAdapter = {
  provider: 'openai',
  operation: 'embeddings',
  requestAttributes(body) {
    const attributes: Attributes = {};
    setDefined(attributes, ATTR.requestModel, body.model);
    setDefined(
      attributes,
      ATTR.requestEncodingFormats,
      body.encoding_format ? [body.encoding_format] : undefined,
    );
    setDefined(attributes, 'gen_ai.embeddings.dimension.count', body.dimensions);
    return attributes;
  },
  // Embedding inputs are not chat messages; the semconv defines no content attribute for them.
  requestContent: () => ({}),
  summarize: summarizeEmbeddings,
  accumulator: () => ({ add() {}, summary: () => ({}) }),
};
