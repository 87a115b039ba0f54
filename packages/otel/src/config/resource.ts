import type { Attributes } from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ResolvedConfig } from './resolve.js';

// Incubating semconv names are copied, as the semantic-conventions package recommends.
const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';
/** Pre-1.27 name, still what many backends group by. */
const ATTR_DEPLOYMENT_ENVIRONMENT = 'deployment.environment';

function environmentAttributes(environment: string | undefined): Attributes {
  return environment
    ? { [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: environment, [ATTR_DEPLOYMENT_ENVIRONMENT]: environment }
    : {};
}

/**
 * Process attributes without `process.command_args`: command lines often carry tokens, and
 * secrets must never leave the process.
 */
function processAttributes(): Attributes {
  return {
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
  };
}

function explicitAttributes(config: ResolvedConfig): Attributes {
  const attributes: Attributes = { ...environmentAttributes(config.environment) };
  if (config.serviceName) attributes[ATTR_SERVICE_NAME] = config.serviceName;
  if (config.serviceVersion) attributes[ATTR_SERVICE_VERSION] = config.serviceVersion;
  return { ...attributes, ...config.resourceAttributes };
}

/**
 * Precedence, lowest first: SDK defaults (`telemetry.sdk.*`, `service.name=unknown_service:node`),
 * ENVIRONMENT/NODE_ENV, host and process facts, OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME
 * (the SDK's env detector), then what the code passed to init().
 */
export function buildResource(config: ResolvedConfig): Resource {
  return defaultResource()
    .merge(resourceFromAttributes(environmentAttributes(config.environmentFallback)))
    .merge(resourceFromAttributes(processAttributes()))
    .merge(detectResources({ detectors: [hostDetector, envDetector] }))
    .merge(resourceFromAttributes(explicitAttributes(config)));
}
