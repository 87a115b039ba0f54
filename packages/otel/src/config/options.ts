import type { Attributes } from '@opentelemetry/api';

/** Tail sampling: keep whole traces that failed or were slow, plus a random share of the rest. */
export interface TailSamplingOptions {
  /** A trace whose local root span lasts at least this long is kept. Default 2000 ms. */
  slowThresholdMs?: number;
  /** Share (0..1) of the remaining, healthy and fast traces that is kept anyway. Default 0. */
  keepRatio?: number;
  /** Upper bound on traces held in memory while their root span runs. Default 1000. */
  maxBufferedTraces?: number;
  /** Upper bound on ended spans held in memory across all buffered traces. Default 10000. */
  maxBufferedSpans?: number;
}

export interface SamplingOptions {
  /** Head sampling: share (0..1) of new root traces recorded; children follow their parent's decision. */
  ratio?: number;
  /** Tail sampling; `true` uses the defaults. */
  tail?: boolean | TailSamplingOptions;
}

export interface LangSmithOptions {
  apiKey: string;
  /** LangSmith project the traces land in. */
  project?: string;
  /** Base URL, default https://api.smith.langchain.com */
  endpoint?: string;
}

export interface InstrumentationToggles {
  /** `openai` and `@anthropic-ai/sdk` auto-instrumentation. Default true. */
  genai?: boolean;
  /** Client spans and trace headers for `fetch`/undici requests. Default true. */
  undici?: boolean;
  /** TRACEPARENT/TRACESTATE/BAGGAGE in the environment of spawned processes. Default true. */
  childProcess?: boolean;
}

export interface InitOptions {
  /** `service.name`; default OTEL_SERVICE_NAME, then `service.name` in OTEL_RESOURCE_ATTRIBUTES. */
  serviceName?: string;
  serviceVersion?: string;
  /** `deployment.environment.name`; default ENVIRONMENT, then NODE_ENV. */
  environment?: string;
  /** Extra resource attributes; they win over everything detected. */
  resourceAttributes?: Attributes;
  /** OTLP/HTTP base URL (`/v1/traces` and `/v1/metrics` are appended); default OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint?: string;
  /** Headers for every OTLP request, merged over OTEL_EXPORTER_OTLP_HEADERS. */
  headers?: Record<string, string>;
  /** Print every span to the console (also OTEL_DEBUG=true). */
  debug?: boolean;
  sampling?: SamplingOptions;
  /** Metrics export; `false` turns metrics off. */
  metrics?: false | { exportIntervalMillis?: number };
  /** Record prompt and completion content on GenAI spans (opt-in). */
  captureContent?: boolean;
  /** Add `traceparent` and `X-Trace-Id` to requests bound for LLM hosts. */
  injectTraceHeaders?: boolean;
  /** Hosts treated as LLM APIs for header injection. */
  llmHosts?: (string | RegExp)[];
  instrumentations?: InstrumentationToggles;
  /** Also export traces to LangSmith; default from LANGSMITH_TRACING=true + LANGSMITH_API_KEY. `false` turns it off. */
  langsmith?: LangSmithOptions | false;
  /** Continue the trace named by TRACEPARENT in this process's environment. Default true. */
  continueTraceFromEnv?: boolean;
  /** Flush on `beforeExit`, SIGTERM and SIGINT. Default true. */
  flushOnExit?: boolean;
  /** Upper bound for flushing on exit and for `shutdown()`. Default 5000 ms. */
  shutdownTimeoutMillis?: number;
}
