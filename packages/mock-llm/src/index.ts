export {
  type AnthropicToolDefinition,
  createDefaultScript,
  createToolLoopScript,
  DEFAULT_OUTPUT_PATH,
  DEFAULT_SHELL_COMMAND,
  type DefaultScriptOptions,
  defaultAgentTools,
  defaultAnthropicAgentTools,
  defaultScript,
  type FunctionToolDefinition,
  type ScriptStep,
} from './brain.js';
export { startMockLlm } from './server.js';
export { getServerCertificate, type ServerCertificate } from './tls.js';
export { createTrustedFetch, type TrustedFetch } from './trusted-fetch.js';
export type {
  Conversation,
  ConversationMessage,
  Fault,
  MockLlmOptions,
  MockLlmServer,
  Provider,
  QueueItem,
  RecordedRequest,
  Reply,
  Script,
  StreamShaping,
  ToolCallSpec,
  UsageOverride,
} from './types.js';
