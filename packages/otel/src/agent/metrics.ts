import { type Counter, type MeterProvider, metrics, type UpDownCounter } from '@opentelemetry/api';
import { SCOPE_NAME, SCOPE_VERSION } from '../internal/version.js';

export interface AgentInstruments {
  agentInvocations: Counter;
  toolExecutions: Counter;
  errors: Counter;
  activeAgents: UpDownCounter;
}

/**
 * Instruments are created from the meter provider registered *now*: the metrics API has no proxy,
 * so instruments made before init() would stay no-ops forever. One set per provider.
 */
const byProvider = new WeakMap<MeterProvider, AgentInstruments>();

export function agentInstruments(): AgentInstruments {
  const provider = metrics.getMeterProvider();
  let instruments = byProvider.get(provider);
  if (!instruments) {
    const meter = provider.getMeter(SCOPE_NAME, SCOPE_VERSION);
    instruments = {
      agentInvocations: meter.createCounter('agentsight.agent.invocations', {
        description: 'Agent invocations started',
        unit: '{invocation}',
      }),
      toolExecutions: meter.createCounter('agentsight.tool.executions', {
        description: 'Tool executions started',
        unit: '{execution}',
      }),
      errors: meter.createCounter('agentsight.errors', {
        description: 'Agent, tool and workflow runs that threw or rejected',
        unit: '{error}',
      }),
      activeAgents: meter.createUpDownCounter('agentsight.agent.active', {
        description: 'Agent invocations in progress',
        unit: '{invocation}',
      }),
    };
    byProvider.set(provider, instruments);
  }
  return instruments;
}
