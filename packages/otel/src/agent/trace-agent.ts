import { type Attributes, type Span, SpanKind } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_WORKFLOW_NAME,
} from './attributes.js';
import { errorType } from './errors.js';
import { agentInstruments } from './metrics.js';
import { runInSpan } from './with-span.js';

export interface ToolOptions {
  /** The model's id for this tool call (`gen_ai.tool.call.id`). */
  callId?: string;
  /** `function`, `extension` or `datastore` (`gen_ai.tool.type`). */
  type?: string;
  attributes?: Attributes;
}

/** An `invoke_agent {name}` span around one agent run, plus invocation/active/error metrics. */
export function traceAgent<T>(name: string, fn: (span: Span) => T, attributes?: Attributes): T {
  const instruments = agentInstruments();
  const metricAttributes = { [ATTR_GEN_AI_AGENT_NAME]: name };
  instruments.agentInvocations.add(1, metricAttributes);
  instruments.activeAgents.add(1, metricAttributes);
  return runInSpan(
    `invoke_agent ${name}`,
    fn,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        ...attributes,
        [ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent',
        [ATTR_GEN_AI_AGENT_NAME]: name,
      },
    },
    ({ error, failed }) => {
      instruments.activeAgents.add(-1, metricAttributes);
      if (failed) instruments.errors.add(1, { ...metricAttributes, [ATTR_ERROR_TYPE]: errorType(error) });
    },
  );
}

/** An `execute_tool {name}` span around one tool call, plus execution/error metrics. */
export function traceTool<T>(name: string, fn: (span: Span) => T, options: ToolOptions = {}): T {
  const instruments = agentInstruments();
  const metricAttributes = { [ATTR_GEN_AI_TOOL_NAME]: name };
  instruments.toolExecutions.add(1, metricAttributes);
  const attributes: Attributes = {
    ...options.attributes,
    [ATTR_GEN_AI_OPERATION_NAME]: 'execute_tool',
    [ATTR_GEN_AI_TOOL_NAME]: name,
  };
  if (options.callId) attributes[ATTR_GEN_AI_TOOL_CALL_ID] = options.callId;
  if (options.type) attributes[ATTR_GEN_AI_TOOL_TYPE] = options.type;
  return runInSpan(
    `execute_tool ${name}`,
    fn,
    { kind: SpanKind.INTERNAL, attributes },
    ({ error, failed }) => {
      if (failed) instruments.errors.add(1, { ...metricAttributes, [ATTR_ERROR_TYPE]: errorType(error) });
    },
  );
}

/** An `invoke_workflow {name}` span grouping several agents or steps. */
export function traceWorkflow<T>(name: string, fn: (span: Span) => T, attributes?: Attributes): T {
  const instruments = agentInstruments();
  const metricAttributes = { [ATTR_GEN_AI_WORKFLOW_NAME]: name };
  return runInSpan(
    `invoke_workflow ${name}`,
    fn,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        ...attributes,
        [ATTR_GEN_AI_OPERATION_NAME]: 'invoke_workflow',
        [ATTR_GEN_AI_WORKFLOW_NAME]: name,
      },
    },
    ({ error, failed }) => {
      if (failed) instruments.errors.add(1, { ...metricAttributes, [ATTR_ERROR_TYPE]: errorType(error) });
    },
  );
}
