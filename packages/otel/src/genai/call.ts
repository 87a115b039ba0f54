import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { reportOnce } from '../internal/diag.js';
import { SCOPE_NAME, SCOPE_VERSION } from '../internal/version.js';
import { ATTR, TOOL_CALL_ATTR, TOOL_CALL_EVENT } from './attributes.js';
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
  private readonly metricAttributes: Attributes;

  constructor(
    readonly adapter: OperationAdapter,
    readonly captureContent: boolean,
    body: Record<string, any>,
    endpoint: ServerEndpoint,
  ) {
    const model = typeof body.model === 'string' ? body.model : undefined;
    const attributes: Attributes = {
      [ATTR.operationName]: adapter.operation,
      [ATTR.providerName]: adapter.provider,
      ...adapter.requestAttributes(body),
    };
    if (endpoint.address) attributes[ATTR.serverAddress] = endpoint.address;
    if (endpoint.port) attributes[ATTR.serverPort] = endpoint.port;
    this.metricAttributes = {
      [ATTR.operationName]: adapter.operation,
      [ATTR.providerName]: adapter.provider,
    };
    if (model) this.metricAttributes[ATTR.requestModel] = model;
    if (endpoint.address) this.metricAttributes[ATTR.serverAddress] = endpoint.address;
    if (endpoint.port) this.metricAttributes[ATTR.serverPort] = endpoint.port;
    if (captureContent) Object.assign(attributes, adapter.requestContent(body));
    const name = model ? `${adapter.operation} ${model}` : adapter.operation;
    this.span = trace
      .getTracer(SCOPE_NAME, SCOPE_VERSION)
      .startSpan(name, { kind: SpanKind.CLIENT, attributes });
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
    // The call is over, so its metric attributes can be completed in place (no per-call copy).
    const metricAttributes = this.metricAttributes;
    if (summary?.model) metricAttributes[ATTR.responseModel] = summary.model;
    if (this.failure) metricAttributes[ATTR.errorType] = this.failure;
    this.span.end(performance.timeOrigin + endedAt);
    recordCallMetrics({
      attributes: metricAttributes,
      durationSeconds,
      timeToFirstChunkSeconds,
      inputTokens: summary?.usage?.input,
      outputTokens: summary?.usage?.output,
    });
  }

  private applySummary(summary: ResponseSummary): void {
    const span = this.span;
    const set = (key: string, value: string | number | string[] | undefined) => {
      if (value !== undefined && value !== null) span.setAttribute(key, value);
    };
    set(ATTR.responseId, summary.id);
    set(ATTR.responseModel, summary.model);
    // An abandoned stream has choices without a finish reason; only reasons actually received are kept.
    const finishReasons = summary.finishReasons?.filter((reason) => reason !== '');
    if (finishReasons?.length) set(ATTR.responseFinishReasons, finishReasons);
    const usage = summary.usage;
    if (usage) {
      set(ATTR.usageInputTokens, usage.input);
      set(ATTR.usageOutputTokens, usage.output);
      set(ATTR.usageCacheReadInputTokens, usage.cacheRead);
      set(ATTR.usageCacheCreationInputTokens, usage.cacheCreation);
      set(ATTR.usageReasoningOutputTokens, usage.reasoning);
    }
    for (const call of summary.toolCalls ?? []) {
      const attributes: Attributes = { [TOOL_CALL_ATTR.name]: call.name, [TOOL_CALL_ATTR.type]: 'function' };
      if (call.id) attributes[TOOL_CALL_ATTR.id] = call.id;
      if (call.arguments !== undefined) attributes[TOOL_CALL_ATTR.arguments] = call.arguments;
      span.addEvent(TOOL_CALL_EVENT, attributes);
    }
    if (summary.outputMessages) set(ATTR.outputMessages, JSON.stringify(summary.outputMessages));
  }
}
