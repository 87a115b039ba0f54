/** Instrumentation scope name and version for every tracer and meter this package creates. */
export const SCOPE_NAME = '@agentsight/otel';
export const SCOPE_VERSION = '0.1.0';
