import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { configureDiagLogger } from './config/diag-logger.js';
import type { InitOptions } from './config/options.js';
import { type ResolvedConfig, resolveConfig } from './config/resolve.js';
import { buildResource } from './config/resource.js';
import { otlpMetricReader } from './export/otlp.js';
import { buildSpanProcessors } from './export/pipeline.js';
import type { AgentSightHandle } from './handle.js';
import { reportOnce, safely } from './internal/diag.js';
import { installExitHooks } from './lifecycle/exit-hooks.js';
import { tracerProviderRegistered } from './lifecycle/foreign-sdk.js';
import { clearGlobalHandle, getGlobalHandle, setGlobalHandle } from './lifecycle/global-handle.js';
import { installInstrumentations } from './lifecycle/instrumentations.js';
import { settleWithin } from './lifecycle/settle-within.js';
import { contextFromEnv, EnvParentContextManager } from './propagation/env-parent.js';
import { headSampler } from './sampling/head.js';

/** OTEL_SDK_DISABLED, or setup failed: the OTel API stays usable and records nothing. */
function noopHandle(): AgentSightHandle {
  return {
    tracerProvider: trace.getTracerProvider(),
    meterProvider: metrics.getMeterProvider(),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

/**
 * Another SDK owns the globals: register nothing, only add our instrumentation, which reaches
 * that provider through the global API. Its provider is flushed on request but never shut down.
 */
function joinForeignSdk(config: ResolvedConfig): AgentSightHandle {
  reportOnce(
    'init:foreign-sdk',
    'a tracer provider is already registered; using it, adding only the GenAI, undici and child-process instrumentation',
  );
  const uninstall = installInstrumentations(config);
  const tracerProvider = trace.getTracerProvider();
  const flushable = (tracerProvider as { getDelegate?: () => unknown }).getDelegate?.() ?? tracerProvider;
  return {
    tracerProvider,
    meterProvider: metrics.getMeterProvider(),
    forceFlush: async () => {
      const flush = (flushable as { forceFlush?: () => Promise<void> }).forceFlush;
      if (flush) await settleWithin(flush.call(flushable), config.shutdownTimeoutMillis, 'forceFlush');
    },
    shutdown: async () => uninstall(),
  };
}

function startSdk(config: ResolvedConfig): AgentSightHandle {
  configureDiagLogger(config.consoleTraces);
  const resource = buildResource(config);
  const exiting = new AbortController();
  const sampler = headSampler(config.headRatio);
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: buildSpanProcessors(config, exiting.signal),
    ...(sampler ? { sampler } : {}),
  });
  const propagator = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
  const processContext = config.continueTraceFromEnv ? contextFromEnv(propagator) : undefined;
  tracerProvider.register({
    propagator,
    contextManager: processContext
      ? new EnvParentContextManager(processContext)
      : new AsyncLocalStorageContextManager(),
  });

  const meterProvider = config.metrics
    ? new MeterProvider({ resource, readers: [otlpMetricReader(config, config.metrics, exiting.signal)] })
    : undefined;
  if (meterProvider) metrics.setGlobalMeterProvider(meterProvider);

  const uninstallInstrumentations = installInstrumentations(config);
  const flushAll = async () => {
    await Promise.all([tracerProvider.forceFlush(), meterProvider?.forceFlush()]);
  };
  // On the way out, one export attempt each: retries would hold a finished process open.
  const flushOnExit = () => {
    exiting.abort();
    return flushAll();
  };
  const removeExitHooks = config.flushOnExit
    ? installExitHooks(flushOnExit, config.shutdownTimeoutMillis)
    : () => {};

  const handle: AgentSightHandle = {
    tracerProvider,
    meterProvider: meterProvider ?? metrics.getMeterProvider(),
    forceFlush: () => settleWithin(flushAll(), config.shutdownTimeoutMillis, 'forceFlush'),
    shutdown: async () => {
      exiting.abort();
      removeExitHooks();
      uninstallInstrumentations();
      await settleWithin(
        Promise.all([tracerProvider.shutdown(), meterProvider?.shutdown()]),
        config.shutdownTimeoutMillis,
        'shutdown',
      );
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
      clearGlobalHandle(handle);
    },
  };
  return handle;
}

/**
 * Sets up OpenTelemetry for a Node AI-agent app in one call: tracer and meter providers
 * exporting OTLP/protobuf, W3C trace-context and baggage propagation, head and optional tail
 * sampling, GenAI, fetch and child-process instrumentation, and flushing on exit. Options win
 * over OTEL_* / AGENTSIGHT_* env vars. Safe to call more than once (the first handle is
 * returned) and never throws: on failure the app keeps running with telemetry off.
 */
export function init(options: InitOptions = {}): AgentSightHandle {
  const existing = getGlobalHandle<AgentSightHandle>();
  if (existing) {
    reportOnce('init:twice', 'init() was already called; returning the first handle');
    return existing;
  }
  const handle =
    safely('init', () => {
      const config = resolveConfig(options);
      if (config.disabled) return noopHandle();
      return tracerProviderRegistered() ? joinForeignSdk(config) : startSdk(config);
    }) ?? noopHandle();
  setGlobalHandle(handle);
  return handle;
}
