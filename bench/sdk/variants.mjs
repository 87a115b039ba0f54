/**
 * How each variant instruments its process. Each runs in its own child (instrumentations patch
 * globally), installs itself before `openai` is loaded, and exports spans with a BatchSpanProcessor
 * over OTLP/HTTP protobuf to the same local receiver. `flush()` pushes out what is still batched.
 */

async function baseline() {
  return { flush: async () => {} };
}

/**
 * No instrumentation, only what every OTel setup installs first: the AsyncLocalStorage context
 * manager, used once. On Node 20 that switches on promise hooks for the whole process, a cost per
 * promise (so per stream chunk) that any instrumentation pays on top of its own.
 */
async function contextOnly() {
  const [{ context, createContextKey, ROOT_CONTEXT }, { AsyncLocalStorageContextManager }] =
    await Promise.all([import('@opentelemetry/api'), import('@opentelemetry/context-async-hooks')]);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  context.with(ROOT_CONTEXT.setValue(createContextKey('bench'), 1), () => {});
  return { flush: async () => {} };
}

/** `init()` with its defaults: GenAI + fetch/undici spans, trace-header injection, metrics, child-process env. */
async function agentsight({ otlpURL, serviceName }) {
  const { init } = await import('@agentsight/otel');
  const handle = init({ serviceName, endpoint: otlpURL, flushOnExit: false });
  return { flush: () => handle.forceFlush() };
}

/** `init()` reduced to what the contrib package does: GenAI spans only, no metrics, no fetch spans. */
async function agentsightGenaiOnly({ otlpURL, serviceName }) {
  const { init } = await import('@agentsight/otel');
  const handle = init({
    serviceName,
    endpoint: otlpURL,
    flushOnExit: false,
    metrics: false,
    instrumentations: { undici: false, childProcess: false },
  });
  return { flush: () => handle.forceFlush() };
}

/**
 * The OTel contrib `@opentelemetry/instrumentation-openai` on a plain NodeTracerProvider. With
 * `metrics`, also a MeterProvider exporting OTLP/protobuf like `init()` does, so its GenAI metrics
 * (token usage, operation duration) are recorded instead of going to the no-op meter.
 */
async function contrib({ otlpURL, serviceName }, { metrics = false } = {}) {
  const [
    { NodeTracerProvider },
    { BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { registerInstrumentations },
    contribModule,
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-proto'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-openai'),
  ]);
  // The package is CJS; its named export is reachable directly or through `default`.
  const OpenAIInstrumentation =
    contribModule.OpenAIInstrumentation ?? contribModule.default.OpenAIInstrumentation;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpURL}/v1/traces` }))],
  });
  provider.register();
  const meterProvider = metrics ? await otlpMeterProvider(otlpURL, serviceName) : undefined;
  registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });
  return {
    flush: async () => {
      await provider.forceFlush();
      await meterProvider?.forceFlush();
    },
  };
}

async function otlpMeterProvider(otlpURL, serviceName) {
  const [
    { metrics },
    { MeterProvider, PeriodicExportingMetricReader },
    { OTLPMetricExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/exporter-metrics-otlp-proto'),
    import('@opentelemetry/resources'),
  ]);
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${otlpURL}/v1/metrics` }),
        exportIntervalMillis: 60_000,
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  return meterProvider;
}

export const VARIANTS = {
  baseline: { label: 'baseline (no OTel)', setup: baseline },
  'context-only': { label: 'context manager only (no instrumentation)', setup: contextOnly },
  agentsight: { label: '@agentsight/otel init()', setup: agentsight },
  'agentsight-genai': { label: '@agentsight/otel GenAI only', setup: agentsightGenaiOnly },
  contrib: { label: 'contrib instrumentation-openai', setup: contrib },
  'contrib-metrics': {
    label: 'contrib instrumentation-openai + metrics',
    setup: (config) => contrib(config, { metrics: true }),
  },
};
