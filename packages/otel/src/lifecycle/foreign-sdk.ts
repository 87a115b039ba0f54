const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/**
 * Whether some other SDK already registered a tracer provider. Read from the registry every
 * @opentelemetry/api 1.x copy shares, so a provider registered through a different copy of
 * the API is seen too (the Proxy provider of our copy would not show it).
 */
export function tracerProviderRegistered(): boolean {
  const registry = (globalThis as { [API_GLOBAL]?: { trace?: unknown } })[API_GLOBAL];
  return registry?.trace !== undefined;
}
