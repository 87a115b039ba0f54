import { hostname } from 'node:os';
import { getStringFromEnv } from '@opentelemetry/core';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';

export const DEFAULT_SERVICE_NAME = 'agentsight-sidecar';

/** service.name: explicit option, else OTEL_SERVICE_NAME, else `agentsight-sidecar`. */
export function resolveServiceName(explicit?: string): string {
  return explicit || getStringFromEnv('OTEL_SERVICE_NAME') || DEFAULT_SERVICE_NAME;
}

export function sidecarResource(serviceName: string): Resource {
  return resourceFromAttributes({
    'service.name': serviceName,
    'host.name': hostname(),
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'agentsight-sidecar',
  });
}
