import { getStringFromEnv } from '@opentelemetry/core';

const TRACES_PATH = 'v1/traces';

/**
 * The traces URL for an endpoint given on the command line. Like OTEL_EXPORTER_OTLP_ENDPOINT it
 * is a base URL that gets `/v1/traces` appended, unless it already names that path.
 */
export function tracesUrlFromEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname.replace(/\/+$/, '').endsWith(`/${TRACES_PATH}`)) return url.toString();
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${TRACES_PATH}`;
  return url.toString();
}

/** True when the standard environment names a traces endpoint (the exporter reads it itself). */
export function otlpEndpointFromEnvironment(): boolean {
  return (
    getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined ||
    getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined
  );
}
