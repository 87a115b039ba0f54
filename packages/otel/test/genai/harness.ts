import { type MockLlmServer, startMockLlm } from '@agentsight/mock-llm';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '@agentsight/testing';
import { metrics, propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';

/**
 * One real pipeline per test file: SDK providers registered globally, exporting OTLP protobuf to a real
 * receiver, and a real HTTPS mock LLM. Spans are exported one by one so a test can wait for its span.
 */
export interface Harness {
  rx: OtlpReceiver;
  llm: MockLlmServer;
  meterProvider: MeterProvider;
  /** The single GenAI span whose trace id the mock server saw in the last request's X-Trace-Id. */
  spanOfLastRequest(): Promise<ReceivedSpan>;
  genAISpans(count: number): Promise<ReceivedSpan[]>;
  lastRequestHeader(name: string): string | undefined;
  reset(): void;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const rx = await startOtlpReceiver();
  const llm = await startMockLlm();
  const tracerProvider = new NodeTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: rx.tracesUrl }))],
  });
  tracerProvider.register({ propagator: new W3CTraceContextPropagator() });
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: rx.metricsUrl }),
        exportIntervalMillis: 60_000,
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);

  const lastRequestHeader = (name: string) => {
    const value = llm.requests.at(-1)?.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const isGenAI = (span: ReceivedSpan) => span.attributes['gen_ai.provider.name'] !== undefined;

  return {
    rx,
    llm,
    meterProvider,
    lastRequestHeader,
    async spanOfLastRequest() {
      const traceId = lastRequestHeader('x-trace-id');
      if (!traceId) throw new Error('the last LLM request carried no x-trace-id');
      const spans = await rx.waitForSpans((all) => all.some((s) => s.traceId === traceId && isGenAI(s)));
      const matching = spans.filter((s) => s.traceId === traceId && isGenAI(s));
      if (matching.length !== 1) throw new Error(`expected one GenAI span, got ${matching.length}`);
      return matching[0];
    },
    async genAISpans(count) {
      const spans = await rx.waitForSpans((all) => all.filter(isGenAI).length >= count);
      return spans.filter(isGenAI);
    },
    reset() {
      rx.clear();
      llm.clearRequests();
    },
    async close() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      metrics.disable();
      propagation.disable();
      await llm.close();
      await rx.close();
    },
  };
}

/** `traceparent` is `00-<trace id>-<span id>-<flags>`. */
export function parentSpanIdOf(traceparent: string | undefined): string | undefined {
  return traceparent?.split('-')[2];
}
