import { type Attributes, type Context, context, trace } from '@opentelemetry/api';
import { reportOnce } from '../internal/diag.js';
import { observeResult } from './api-promise.js';
import { ATTR } from './attributes.js';
import { type CallSite, GenAICall, type ServerEndpoint } from './call.js';
import { traceHeaders, withHeaders } from './headers.js';
import { MetricAttributeCache } from './metric-attributes.js';
import type { WrapperFactory } from './patch.js';
import { injectsOnPrepareRequest, withTraceHeaders } from './prepare-request.js';
import type { OperationAdapter } from './summary.js';

/** `server.address`/`server.port` from the client's `baseURL`. */
function endpointOf(client: any): ServerEndpoint {
  const endpoint: ServerEndpoint = {};
  try {
    const url = new URL(String(client.baseURL));
    endpoint.address = url.hostname;
    endpoint.port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
  } catch {
    // A client without a parsable baseURL still gets its span, without server attributes.
  }
  return endpoint;
}

function createCallSite(adapter: OperationAdapter, client: unknown): CallSite {
  const endpoint = client && typeof client === 'object' ? endpointOf(client) : {};
  const base: Attributes = { [ATTR.operationName]: adapter.operation, [ATTR.providerName]: adapter.provider };
  if (endpoint.address) base[ATTR.serverAddress] = endpoint.address;
  if (endpoint.port) base[ATTR.serverPort] = endpoint.port;
  return { endpoint, metricAttributes: new MetricAttributeCache(base) };
}

/**
 * The Anthropic SDK (0.1xx and 1.x) has built-in tracing that starts its own call span whenever a
 * global tracer provider exists. For a call we trace, that would be a second span for the same request,
 * and it would overwrite our `traceparent`, so its tracer is hidden while the SDK method sets up the
 * call (span start and request dispatch both happen synchronously inside the method).
 */
function withoutBuiltInTracing(
  client: any,
  method: (...args: unknown[]) => unknown,
  self: unknown,
  args: unknown[],
): unknown {
  if (!client || typeof client !== 'object' || !client._tracer) return method.apply(self, args);
  const tracer = client._tracer;
  client._tracer = undefined;
  try {
    return method.apply(self, args);
  } finally {
    client._tracer = tracer;
  }
}

/** For SDK helpers (`messages.stream()`) whose inner `create()` call we trace. */
export const suppressBuiltInTracing: WrapperFactory = (original) =>
  function helperWithoutBuiltInTracing(this: any, ...args: unknown[]) {
    return withoutBuiltInTracing(this?._client, original, this, args);
  };

/** Wraps a resource method such as `chat.completions.create` so each call gets one GenAI span. */
export function tracedMethod(adapter: OperationAdapter): WrapperFactory {
  return (original, state) => {
    // Parsed once per client: the server attributes and the metric attribute sets of its calls.
    const sites = new WeakMap<object, CallSite>();
    const siteOf = (client: unknown): CallSite => {
      if (!client || typeof client !== 'object') return createCallSite(adapter, client);
      let site = sites.get(client);
      if (!site) sites.set(client, (site = createCallSite(adapter, client)));
      return site;
    };
    return function tracedCreate(this: any, ...args: unknown[]) {
      const body = args[0];
      const client = this?._client;
      const { captureContent, injectTraceHeaders } = state.options;
      let call: GenAICall | undefined;
      let callContext: Context | undefined;
      if (body && typeof body === 'object') {
        try {
          call = new GenAICall(adapter, captureContent, body as Record<string, any>, siteOf(client));
          callContext = trace.setSpan(context.active(), call.span);
        } catch (error) {
          reportOnce('genai.start', 'genai.start failed', error);
        }
      }
      if (!call || !callContext) return original.apply(this, args);
      if (injectTraceHeaders) {
        try {
          const headers = traceHeaders(call.span, callContext);
          if (headers && injectsOnPrepareRequest(client)) {
            callContext = withTraceHeaders(callContext, headers);
          } else if (headers) {
            // `args` is this call's own rest array, so the options can be replaced in place.
            args[1] = withHeaders(args[1], headers);
          }
        } catch (error) {
          reportOnce('genai.headers', 'genai.headers failed', error);
        }
      }
      let result: unknown;
      try {
        result = context.with(callContext, withoutBuiltInTracing, undefined, client, original, this, args);
      } catch (error) {
        call.failed(error);
        call.end();
        throw error;
      }
      try {
        observeResult(result, call);
      } catch (error) {
        reportOnce('genai.observe', 'genai.observe failed', error);
      }
      return result;
    };
  };
}
