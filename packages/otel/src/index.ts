export { type ToolOptions, traceAgent, traceTool, traceWorkflow } from './agent/trace-agent.js';
export { type WithSpanOptions, withSpan } from './agent/with-span.js';
export type {
  InitOptions,
  InstrumentationToggles,
  LangSmithOptions,
  SamplingOptions,
  TailSamplingOptions,
} from './config/options.js';
export { type GenAIOptions, instrument, instrumentModules } from './genai/index.js';
export type { AgentSightHandle } from './handle.js';
export { init } from './init.js';
export { type SessionInfo, withSession } from './session/with-session.js';
