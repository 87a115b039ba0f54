import { diag } from '@opentelemetry/api';

const reported = new Set<string>();

/**
 * Telemetry must never break the app, so internal failures are caught and reported through
 * OTel's diag logger — once per key, so a failure on a hot path cannot flood the logs.
 */
export function reportOnce(key: string, message: string, error?: unknown): void {
  if (reported.has(key)) return;
  reported.add(key);
  diag.warn(`@agentsight/otel: ${message}`, error instanceof Error ? error.message : (error ?? ''));
}

/** Runs `fn`, swallowing and reporting (once per key) anything it throws. */
export function safely<T>(key: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    reportOnce(key, `${key} failed`, error);
    return undefined;
  }
}
