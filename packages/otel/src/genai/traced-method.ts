import { context, trace } from '@opentelemetry/api';
import { safely } from '../internal/diag.js';
import { observeResult } from './api-promise.js';
import { GenAICall, type ServerEndpoint } from './call.js';
import { traceHeaders, withHeaders } from './headers.js';
import type { WrapperFactory } from './patch.js';
import type { OperationAdapter } from './summary.js';

const endpoints = new WeakMap<object, ServerEndpoint>();

/** `server.address`/`server.port` from the client's `baseURL`, parsed once per client. */
function endpointOf(client: any): ServerEndpoint {
  if (!client || typeof client !== 'object') return {};
  let endpoint = endpoints.get(client);
  if (!endpoint) {
    endpoint = {};
    try {
      const url = new URL(String(client.baseURL));
      endpoint.address = url.hostname;
      endpoint.port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
    } catch {
      // A client without a parsable baseURL still gets its span, without server attributes.
    }
    endpoints.set(client, endpoint);
  }
  return endpoint;
}

/**
 * The Anthropic SDK (0.1xx and 1.x) has built-in tracing that starts its own call span whenever a
 * global tracer provider exists. For a call we trace, that would be a second span for the same request,
 * and it would overwrite our `traceparent`, so its tracer is hidden while the SDK method sets up the
 * call (span start and request dispatch both happen synchronously inside the method).
 */
function withoutBuiltInTracing<T>(client: any, run: () => T): T {
  if (!client || typeof client !== 'object' || !client._tracer) return run();
  const tracer = client._tracer;
  client._tracer = undefined;
  try {
    return run();
  } finally {
    client._tracer = tracer;
  }
}

/** For SDK helpers (`messages.stream()`) whose inner `create()` call we trace. */
export const suppressBuiltInTracing: WrapperFactory = (original) =>
  function helperWithoutBuiltInTracing(this: any, ...args: unknown[]) {
    return withoutBuiltInTracing(this?._client, () => original.apply(this, args));
  };

/** Wraps a resource method such as `chat.completions.create` so each call gets one GenAI span. */
export function tracedMethod(adapter: OperationAdapter): WrapperFactory {
  return (original, state) =>
    function tracedCreate(this: any, ...args: unknown[]) {
      const body = args[0];
      const client = this?._client;
      const { captureContent, injectTraceHeaders } = state.options;
      const call =
        body && typeof body === 'object'
          ? safely(
              'genai.start',
              () => new GenAICall(adapter, captureContent, body as any, endpointOf(client)),
            )
          : undefined;
      if (!call) return original.apply(this, args);
      if (injectTraceHeaders) {
        const headers = safely('genai.headers', () => traceHeaders(call.span));
        if (headers) args = [body, withHeaders(args[1], headers), ...args.slice(2)];
      }
      let result: unknown;
      try {
        result = context.with(trace.setSpan(context.active(), call.span), () =>
          withoutBuiltInTracing(client, () => original.apply(this, args)),
        );
      } catch (error) {
        call.failed(error);
        call.end();
        throw error;
      }
      safely('genai.observe', () => observeResult(result, call));
      return result;
    };
}
