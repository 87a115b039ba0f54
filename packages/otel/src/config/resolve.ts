import { getNumberFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import { reportOnce } from '../internal/diag.js';
import type {
  InitOptions,
  InstrumentationToggles,
  LangSmithOptions,
  TailSamplingOptions,
} from './options.js';

export type ResolvedTailSampling = Required<TailSamplingOptions>;
export type ResolvedLangSmith = Required<LangSmithOptions>;

/** InitOptions merged with the environment: explicit options win, then env vars, then defaults. */
export interface ResolvedConfig {
  disabled: boolean;
  serviceName?: string;
  serviceVersion?: string;
  environment?: string;
  /** From ENVIRONMENT / NODE_ENV; loses to OTEL_RESOURCE_ATTRIBUTES, unlike `environment`. */
  environmentFallback?: string;
  resourceAttributes: NonNullable<InitOptions['resourceAttributes']>;
  endpoint?: string;
  headers?: Record<string, string>;
  otlpTraces: boolean;
  consoleTraces: boolean;
  /** Explicit head-sampling ratio; when absent the SDK reads OTEL_TRACES_SAMPLER(_ARG) itself. */
  headRatio?: number;
  tail?: ResolvedTailSampling;
  metrics?: { exportIntervalMillis: number; exportTimeoutMillis: number };
  genai: Pick<InitOptions, 'captureContent' | 'injectTraceHeaders' | 'llmHosts'>;
  instrumentations: Required<InstrumentationToggles>;
  langsmith?: ResolvedLangSmith;
  continueTraceFromEnv: boolean;
  flushOnExit: boolean;
  shutdownTimeoutMillis: number;
}

const DEFAULT_LANGSMITH_ENDPOINT = 'https://api.smith.langchain.com';
const DEFAULT_METRIC_INTERVAL_MS = 60_000;
const DEFAULT_METRIC_TIMEOUT_MS = 30_000;
const TAIL_DEFAULTS: ResolvedTailSampling = {
  slowThresholdMs: 2000,
  keepRatio: 0,
  maxBufferedTraces: 1000,
  maxBufferedSpans: 10_000,
};

/** `true`/`false` (any case) from the environment; undefined when unset or unparseable. */
export function envFlag(name: string): boolean | undefined {
  const raw = getStringFromEnv(name)?.toLowerCase();
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw !== undefined) reportOnce(`env:${name}`, `${name}=${raw} is not true/false; ignored`);
  return undefined;
}

function ratioOrUndefined(source: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isFinite(value) && value >= 0 && value <= 1) return value;
  reportOnce(`ratio:${source}`, `${source}=${value} is outside [0, 1]; ignored`);
  return undefined;
}

function positiveOrUndefined(source: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isFinite(value) && value > 0) return value;
  reportOnce(`positive:${source}`, `${source}=${value} must be a positive number; ignored`);
  return undefined;
}

function resolveTail(options: InitOptions): ResolvedTailSampling | undefined {
  const tail = options.sampling?.tail;
  const enabled = tail === undefined ? envFlag('AGENTSIGHT_TAIL_SAMPLING') === true : tail !== false;
  if (!enabled) return undefined;
  const explicit = typeof tail === 'object' ? tail : {};
  return {
    slowThresholdMs:
      positiveOrUndefined('sampling.tail.slowThresholdMs', explicit.slowThresholdMs) ??
      positiveOrUndefined('AGENTSIGHT_TAIL_SLOW_MS', getNumberFromEnv('AGENTSIGHT_TAIL_SLOW_MS')) ??
      TAIL_DEFAULTS.slowThresholdMs,
    keepRatio:
      ratioOrUndefined('sampling.tail.keepRatio', explicit.keepRatio) ??
      ratioOrUndefined('AGENTSIGHT_TAIL_KEEP_RATIO', getNumberFromEnv('AGENTSIGHT_TAIL_KEEP_RATIO')) ??
      TAIL_DEFAULTS.keepRatio,
    maxBufferedTraces:
      positiveOrUndefined('sampling.tail.maxBufferedTraces', explicit.maxBufferedTraces) ??
      TAIL_DEFAULTS.maxBufferedTraces,
    maxBufferedSpans:
      positiveOrUndefined('sampling.tail.maxBufferedSpans', explicit.maxBufferedSpans) ??
      TAIL_DEFAULTS.maxBufferedSpans,
  };
}

function resolveLangSmith(options: InitOptions): ResolvedLangSmith | undefined {
  if (options.langsmith === false) return undefined;
  const apiKey = options.langsmith?.apiKey ?? getStringFromEnv('LANGSMITH_API_KEY');
  const requested = options.langsmith !== undefined || envFlag('LANGSMITH_TRACING') === true;
  if (!requested) return undefined;
  if (!apiKey) {
    reportOnce('langsmith:key', 'LangSmith export requested but no API key (LANGSMITH_API_KEY); disabled');
    return undefined;
  }
  const endpoint =
    options.langsmith?.endpoint ?? getStringFromEnv('LANGSMITH_ENDPOINT') ?? DEFAULT_LANGSMITH_ENDPOINT;
  const project = options.langsmith?.project ?? getStringFromEnv('LANGSMITH_PROJECT') ?? 'default';
  return { apiKey, endpoint: endpoint.replace(/\/+$/, ''), project };
}

function resolveMetrics(options: InitOptions): ResolvedConfig['metrics'] {
  if (options.metrics === false) return undefined;
  if (options.metrics === undefined && getStringListFromEnv('OTEL_METRICS_EXPORTER')?.includes('none')) {
    return undefined;
  }
  const exportIntervalMillis =
    positiveOrUndefined('metrics.exportIntervalMillis', options.metrics?.exportIntervalMillis) ??
    positiveOrUndefined('OTEL_METRIC_EXPORT_INTERVAL', getNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL')) ??
    DEFAULT_METRIC_INTERVAL_MS;
  const timeout =
    positiveOrUndefined('OTEL_METRIC_EXPORT_TIMEOUT', getNumberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT')) ??
    DEFAULT_METRIC_TIMEOUT_MS;
  // The reader rejects a timeout longer than its interval.
  return { exportIntervalMillis, exportTimeoutMillis: Math.min(timeout, exportIntervalMillis) };
}

export function resolveConfig(options: InitOptions = {}): ResolvedConfig {
  const tracesExporters = getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? ['otlp'];
  const debug = options.debug ?? envFlag('OTEL_DEBUG') ?? false;
  return {
    disabled: envFlag('OTEL_SDK_DISABLED') === true,
    serviceName: options.serviceName,
    serviceVersion: options.serviceVersion,
    environment: options.environment,
    environmentFallback: getStringFromEnv('ENVIRONMENT') ?? getStringFromEnv('NODE_ENV'),
    resourceAttributes: options.resourceAttributes ?? {},
    endpoint: options.endpoint,
    headers: options.headers,
    otlpTraces: tracesExporters.includes('otlp'),
    consoleTraces: debug || tracesExporters.includes('console'),
    headRatio: ratioOrUndefined('sampling.ratio', options.sampling?.ratio),
    tail: resolveTail(options),
    metrics: resolveMetrics(options),
    genai: {
      captureContent: options.captureContent,
      injectTraceHeaders: options.injectTraceHeaders,
      llmHosts: options.llmHosts,
    },
    instrumentations: {
      genai: options.instrumentations?.genai ?? true,
      undici: options.instrumentations?.undici ?? true,
      childProcess: options.instrumentations?.childProcess ?? true,
    },
    langsmith: resolveLangSmith(options),
    continueTraceFromEnv:
      options.continueTraceFromEnv ?? envFlag('AGENTSIGHT_CONTINUE_TRACE_FROM_ENV') ?? true,
    flushOnExit: options.flushOnExit ?? true,
    shutdownTimeoutMillis:
      positiveOrUndefined('shutdownTimeoutMillis', options.shutdownTimeoutMillis) ?? 5000,
  };
}
