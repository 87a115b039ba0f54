import {
  type Attributes,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { reportOnce } from '../internal/diag.js';
import { SCOPE_NAME, SCOPE_VERSION } from '../internal/version.js';
import { ATTR, TOOL_CALL_ATTR, TOOL_CALL_EVENT } from './attributes.js';
import type { MetricAttributeCache } from './metric-attributes.js';
import { recordCallMetrics } from './metrics.js';
import type { OperationAdapter, ResponseSummary } from './summary.js';

export interface ServerEndpoint {
  address?: string;
  port?: number;
}

/** The class name of an SDK error (`RateLimitError`), else its HTTP status, else `_OTHER`. */
export function errorType(error: unknown): string {
  const name = (error as any)?.constructor?.name;
  if (typeof name === 'string' && name !== 'Error' && name !== 'Object') return name;
  const status = (error as any)?.status;
  if (typeof status === 'number') return String(status);
  return typeof name === 'string' ? name : '_OTHER';
}

/** What a call needs from its client, resolved once per client and traced method. */
export interface CallSite {
  endpoint: ServerEndpoint;
  metricAttributes: MetricAttributeCache;
}

// A tracer provider's getTracer() builds a scope key per call; the tracer is kept per global provider
// instead (re-registering replaces the global, so a stale tracer is never used).
const tracers = new WeakMap<TracerProvider, Tracer>();

function genAITracer(): Tracer {
  const provider = trace.getTracerProvider();
  let tracer = tracers.get(provider);
  if (!tracer) {
    tracer = provider.getTracer(SCOPE_NAME, SCOPE_VERSION);
    tracers.set(provider, tracer);
  }
  return tracer;
}

/**
 * One traced LLM call: its span and the attributes shared with its metrics. Whatever path ends it
 * (parsed body, stream end or abandonment, error, raw response, garbage collection), it ends once.
 */
export class GenAICall {
  readonly span: Span;
  /** Set when the SDK starts parsing the body: from then on the body, not the response, ends the call. */
  parseStarted = false;
  private isEnded = false;
  private readonly startedAt = performance.now();
  private responseAt?: number;
  private firstChunkAt?: number;
  private failure?: string;
  private summary?: ResponseSummary;
  private readonly requestModel?: string;

  constructor(
    readonly adapter: OperationAdapter,
    readonly captureContent: boolean,
    body: Record<string, any>,
    private readonly site: CallSite,
  ) {
    const model = typeof body.model === 'string' ? body.model : undefined;
    this.requestModel = model;
    const attributes = adapter.requestAttributes(body);
    attributes[ATTR.operationName] = adapter.operation;
    attributes[ATTR.providerName] = adapter.provider;
    const { address, port } = site.endpoint;
    if (address) attributes[ATTR.serverAddress] = address;
    if (port) attributes[ATTR.serverPort] = port;
    if (captureContent) Object.assign(attributes, adapter.requestContent(body));
    const name = model ? `${adapter.operation} ${model}` : adapter.operation;
    this.span = genAITracer().startSpan(name, { kind: SpanKind.CLIENT, attributes });
  }

  /** Headers arrived; the time is kept so a call ended later without a body still ends here. */
  responded(status: number | undefined): void {
    if (this.ended) return;
    this.responseAt = performance.now();
    if (status !== undefined) this.span.setAttribute(ATTR.httpStatusCode, status);
  }

  get ended(): boolean {
    return this.isEnded;
  }

  firstChunk(): void {
    this.firstChunkAt ??= performance.now();
  }

  succeeded(summary: ResponseSummary): void {
    this.summary = summary;
  }

  failed(error: unknown): void {
    if (this.ended || this.failure) return;
    this.failure = errorType(error);
    const status = (error as any)?.status;
    if (typeof status === 'number') this.span.setAttribute(ATTR.httpStatusCode, status);
    this.span.setAttribute(ATTR.errorType, this.failure);
    if (error instanceof Error) this.span.recordException(error);
    this.span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : undefined,
    });
  }

  /** Ends at response time: used when only the raw response was read, or the call was dropped unread. */
  endAtResponse(): void {
    this.end(this.responseAt);
  }

  end(at?: number): void {
    if (this.isEnded) return;
    this.isEnded = true;
    try {
      this.finish(at ?? performance.now());
    } catch (error) {
      reportOnce('genai.end', 'recording a GenAI span failed', error);
      this.span.end();
    }
  }

  private finish(endedAt: number): void {
    const summary = this.summary;
    if (summary) this.applySummary(summary);
    const durationSeconds = (endedAt - this.startedAt) / 1000;
    const timeToFirstChunkSeconds =
      this.firstChunkAt === undefined ? undefined : (this.firstChunkAt - this.startedAt) / 1000;
    if (timeToFirstChunkSeconds !== undefined) {
      this.span.setAttribute(ATTR.responseTimeToFirstChunk, timeToFirstChunkSeconds);
    }
    this.span.end(performance.timeOrigin + endedAt);
    recordCallMetrics(
      this.site.metricAttributes.sets(this.requestModel, summary?.model || undefined, this.failure),
      durationSeconds,
      timeToFirstChunkSeconds,
      summary?.usage?.input,
      summary?.usage?.output,
    );
  }

  private applySummary(summary: ResponseSummary): void {
    const span = this.span;
    setIfDefined(span, ATTR.responseId, summary.id);
    setIfDefined(span, ATTR.responseModel, summary.model);
    // An abandoned stream has choices without a finish reason; only reasons actually received are kept.
    const finishReasons = summary.finishReasons;
    if (finishReasons?.length) {
      const received = finishReasons.includes('')
        ? finishReasons.filter((reason) => reason !== '')
        : finishReasons;
      if (received.length) span.setAttribute(ATTR.responseFinishReasons, received);
    }
    const usage = summary.usage;
    if (usage) {
      setIfDefined(span, ATTR.usageInputTokens, usage.input);
      setIfDefined(span, ATTR.usageOutputTokens, usage.output);
      setIfDefined(span, ATTR.usageCacheReadInputTokens, usage.cacheRead);
      setIfDefined(span, ATTR.usageCacheCreationInputTokens, usage.cacheCreation);
      setIfDefined(span, ATTR.usageReasoningOutputTokens, usage.reasoning);
    }
    const toolCalls = summary.toolCalls;
    if (toolCalls) {
      for (const call of toolCalls) {
        const attributes: Attributes = {
          [TOOL_CALL_ATTR.name]: call.name,
          [TOOL_CALL_ATTR.type]: 'function',
        };
        if (call.id) attributes[TOOL_CALL_ATTR.id] = call.id;
        if (call.arguments !== undefined) attributes[TOOL_CALL_ATTR.arguments] = call.arguments;
        span.addEvent(TOOL_CALL_EVENT, attributes);
      }
    }
    if (summary.outputMessages)
      span.setAttribute(ATTR.outputMessages, JSON.stringify(summary.outputMessages));
  }
}

function setIfDefined(span: Span, key: string, value: string | number | undefined): void {
  if (value !== undefined && value !== null) span.setAttribute(key, value);
}
