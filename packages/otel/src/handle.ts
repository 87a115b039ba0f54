import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/** What init() returns. Flush and shutdown never reject and are bounded by `shutdownTimeoutMillis`. */
export interface AgentSightHandle {
  tracerProvider: TracerProvider;
  meterProvider: MeterProvider;
  /** Exports everything buffered so far. */
  forceFlush(): Promise<void>;
  /** Flushes, stops exporting, removes instrumentation and exit hooks; init() may then run again. */
  shutdown(): Promise<void>;
}
