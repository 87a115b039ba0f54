/**
 * OpenTelemetry GenAI semantic-convention names (v1.41+). Kept as literals: several are still
 * "incubating" in @opentelemetry/semantic-conventions, whose incubating entry point is not stable API.
 */
export const ATTR = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestTopK: 'gen_ai.request.top_k',
  requestStopSequences: 'gen_ai.request.stop_sequences',
  requestSeed: 'gen_ai.request.seed',
  requestFrequencyPenalty: 'gen_ai.request.frequency_penalty',
  requestPresencePenalty: 'gen_ai.request.presence_penalty',
  requestChoiceCount: 'gen_ai.request.choice.count',
  requestEncodingFormats: 'gen_ai.request.encoding_formats',
  requestStream: 'gen_ai.request.stream',
  outputType: 'gen_ai.output.type',
  responseId: 'gen_ai.response.id',
  responseModel: 'gen_ai.response.model',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  responseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  usageCacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  usageReasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
  toolDefinitions: 'gen_ai.tool.definitions',
  tokenType: 'gen_ai.token.type',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  httpStatusCode: 'http.response.status_code',
} as const;

/**
 * The tool calls a response asks for, as a span event per call (name, id always; arguments only with
 * content capture). Events keep each call's fields typed and queryable, unlike one JSON attribute.
 */
export const TOOL_CALL_EVENT = 'gen_ai.tool.call';
export const TOOL_CALL_ATTR = {
  name: 'gen_ai.tool.name',
  id: 'gen_ai.tool.call.id',
  type: 'gen_ai.tool.type',
  arguments: 'gen_ai.tool.call.arguments',
} as const;

export type GenAIProvider = 'openai' | 'anthropic';
export type GenAIOperation = 'chat' | 'embeddings';
