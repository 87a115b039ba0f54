/**
 * How each variant instruments its process. Each runs in its own child (instrumentations patch
 * globally), installs itself before `openai` is loaded, and exports spans with a BatchSpanProcessor
 * over OTLP/HTTP protobuf to the same local receiver. `flush()` pushes out what is still batched.
 */

async function baseline() {
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

/** The OTel contrib `@opentelemetry/instrumentation-openai` on a plain NodeTracerProvider. */
async function contrib({ otlpURL, serviceName }) {
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
  registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });
  return { flush: () => provider.forceFlush() };
}

export const VARIANTS = {
  baseline: { label: 'baseline (no OTel)', setup: baseline },
  agentsight: { label: '@agentsight/otel init()', setup: agentsight },
  'agentsight-genai': { label: '@agentsight/otel GenAI only', setup: agentsightGenaiOnly },
  contrib: { label: 'contrib instrumentation-openai', setup: contrib },
};
