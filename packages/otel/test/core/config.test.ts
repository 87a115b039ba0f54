import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveConfig', () => {
  it('has safe defaults', () => {
    const config = resolveConfig();
    expect(config).toMatchObject({
      disabled: false,
      otlpTraces: true,
      consoleTraces: false,
      headRatio: undefined,
      tail: undefined,
      langsmith: undefined,
      continueTraceFromEnv: true,
      flushOnExit: true,
      shutdownTimeoutMillis: 5000,
      instrumentations: { genai: true, undici: true, childProcess: true },
    });
    expect(config.metrics?.exportIntervalMillis).toBe(60_000);
  });

  it('reads the environment', () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'TRUE');
    vi.stubEnv('OTEL_DEBUG', 'true');
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'console');
    vi.stubEnv('OTEL_METRIC_EXPORT_INTERVAL', '1500');
    vi.stubEnv('OTEL_METRIC_EXPORT_TIMEOUT', '9000');
    vi.stubEnv('AGENTSIGHT_TAIL_SAMPLING', 'true');
    vi.stubEnv('AGENTSIGHT_TAIL_SLOW_MS', '750');
    vi.stubEnv('AGENTSIGHT_TAIL_KEEP_RATIO', '0.25');
    vi.stubEnv('LANGSMITH_TRACING', 'true');
    vi.stubEnv('LANGSMITH_API_KEY', 'key');
    vi.stubEnv('LANGSMITH_PROJECT', 'proj');
    vi.stubEnv('ENVIRONMENT', 'prod');
    vi.stubEnv('NODE_ENV', 'development');
    const config = resolveConfig();
    expect(config.disabled).toBe(true);
    expect(config.otlpTraces).toBe(false);
    expect(config.consoleTraces).toBe(true);
    // The reader rejects a timeout longer than the interval.
    expect(config.metrics).toEqual({ exportIntervalMillis: 1500, exportTimeoutMillis: 1500 });
    expect(config.tail).toMatchObject({ slowThresholdMs: 750, keepRatio: 0.25 });
    expect(config.langsmith).toEqual({
      apiKey: 'key',
      project: 'proj',
      endpoint: 'https://api.smith.langchain.com',
    });
    expect(config.environmentFallback).toBe('prod');
  });

  it('lets explicit options win over the environment', () => {
    vi.stubEnv('AGENTSIGHT_TAIL_SAMPLING', 'true');
    vi.stubEnv('AGENTSIGHT_TAIL_SLOW_MS', '750');
    vi.stubEnv('LANGSMITH_TRACING', 'true');
    vi.stubEnv('LANGSMITH_API_KEY', 'key');
    vi.stubEnv('OTEL_METRIC_EXPORT_INTERVAL', '1500');
    const config = resolveConfig({
      sampling: { ratio: 0.5, tail: { slowThresholdMs: 100 } },
      langsmith: false,
      metrics: { exportIntervalMillis: 42_000 },
      environment: 'ci',
    });
    expect(config.headRatio).toBe(0.5);
    expect(config.tail?.slowThresholdMs).toBe(100);
    expect(config.langsmith).toBeUndefined();
    expect(config.metrics?.exportIntervalMillis).toBe(42_000);
    expect(config.environment).toBe('ci');
  });

  it('ignores invalid values instead of throwing', () => {
    vi.stubEnv('AGENTSIGHT_TAIL_SAMPLING', 'yes please');
    vi.stubEnv('OTEL_METRIC_EXPORT_INTERVAL', '-5');
    const config = resolveConfig({ sampling: { ratio: 3 }, shutdownTimeoutMillis: 0 });
    expect(config.tail).toBeUndefined();
    expect(config.headRatio).toBeUndefined();
    expect(config.metrics?.exportIntervalMillis).toBe(60_000);
    expect(config.shutdownTimeoutMillis).toBe(5000);
  });

  it('needs an API key before exporting to LangSmith', () => {
    vi.stubEnv('LANGSMITH_TRACING', 'true');
    vi.stubEnv('LANGSMITH_API_KEY', '');
    expect(resolveConfig().langsmith).toBeUndefined();
    expect(resolveConfig({ langsmith: { apiKey: 'k', endpoint: 'http://x/' } }).langsmith).toEqual({
      apiKey: 'k',
      endpoint: 'http://x',
      project: 'default',
    });
  });
});
