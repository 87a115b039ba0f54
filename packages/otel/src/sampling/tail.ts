import { type Context, type Counter, metrics, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ResolvedTailSampling } from '../config/resolve.js';
import { SCOPE_NAME, SCOPE_VERSION } from '../internal/version.js';

export type TailDecision = 'kept' | 'dropped' | 'overflow';

/**
 * The spans of one trace that started under one local root span (a span with no parent, or a
 * remote parent). Decisions are made per segment: two requests of the same distributed trace,
 * or every root span of a process continuing TRACEPARENT, are judged separately.
 */
interface Segment {
  rootSpanId: string;
  root?: Span;
  ended: ReadableSpan[];
}

/** Decisions for segments already released, so spans that end after their root follow them. */
const DECISION_MEMORY = 10_000;

export interface TailSamplingStats {
  keptTraces: number;
  droppedTraces: number;
  droppedSpans: number;
  /** Traces forwarded undecided because the buffer was full. */
  overflowTraces: number;
  bufferedTraces: number;
  bufferedSpans: number;
}

/**
 * Buffers ended spans until their local root ends, then forwards the whole segment to
 * `downstream` if any span failed, the root was slow, or the trace id falls in `keepRatio`;
 * otherwise drops it. Memory is bounded: on overflow the oldest segment is forwarded, not lost.
 */
export class TailSamplingProcessor implements SpanProcessor {
  private readonly segments = new Map<string, Segment>();
  /** spanId → rootSpanId for started spans that have not ended yet. */
  private readonly rootOf = new Map<string, string>();
  private readonly decided = new Map<string, boolean>();
  private bufferedSpans = 0;
  private readonly counts = { keptTraces: 0, droppedTraces: 0, droppedSpans: 0, overflowTraces: 0 };
  private readonly ratioBound: number;
  private decisionsCounter?: Counter;

  constructor(
    private readonly downstream: SpanProcessor,
    private readonly policy: ResolvedTailSampling,
  ) {
    this.ratioBound = policy.keepRatio >= 1 ? 0x100000000 : Math.floor(policy.keepRatio * 0xffffffff);
  }

  onStart(span: Span, parentContext: Context): void {
    const spanId = span.spanContext().spanId;
    const parent = span.parentSpanContext;
    const parentRoot = parent && !parent.isRemote ? this.rootOf.get(parent.spanId) : undefined;
    const rootSpanId = parentRoot ?? spanId;
    this.rootOf.set(spanId, rootSpanId);
    this.downstream.onStart(span, parentContext);
    // Started under a root that has already been judged: onEnd follows that decision.
    if (this.decided.has(rootSpanId) && !this.segments.has(rootSpanId)) return;
    let segment = this.segments.get(rootSpanId);
    if (!segment) {
      segment = { rootSpanId, ended: [] };
      this.segments.set(rootSpanId, segment);
    }
    if (rootSpanId === spanId) segment.root = span;
    this.enforceBounds();
  }

  onEnding(span: Span): void {
    this.downstream.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    const spanId = span.spanContext().spanId;
    const rootSpanId = this.rootOf.get(spanId) ?? spanId;
    this.rootOf.delete(spanId);
    const segment = this.segments.get(rootSpanId);
    if (!segment) {
      this.forwardLate(span, rootSpanId);
      return;
    }
    segment.ended.push(span);
    this.bufferedSpans++;
    if (spanId === rootSpanId) this.release(segment, this.keep(segment) ? 'kept' : 'dropped');
    else this.enforceBounds();
  }

  async forceFlush(): Promise<void> {
    this.releaseAll();
    await this.downstream.forceFlush();
  }

  async shutdown(): Promise<void> {
    this.releaseAll();
    await this.downstream.shutdown();
  }

  stats(): TailSamplingStats {
    return { ...this.counts, bufferedTraces: this.segments.size, bufferedSpans: this.bufferedSpans };
  }

  private keep(segment: Segment): boolean {
    if (segment.ended.some((span) => span.status.code === SpanStatusCode.ERROR)) return true;
    if (this.rootDurationMs(segment) >= this.policy.slowThresholdMs) return true;
    return this.inKeepRatio(segment.root?.spanContext().traceId);
  }

  private rootDurationMs(segment: Segment): number {
    const root = segment.root;
    if (!root) return 0;
    if (root.ended) return hrTimeToMilliseconds(root.duration);
    // Released before the root ended (flush, overflow): judge by the time it has run so far.
    return Date.now() - hrTimeToMilliseconds(root.startTime);
  }

  /** Same bucketing idea as TraceIdRatioBasedSampler: the trace id's low 32 bits against the ratio. */
  private inKeepRatio(traceId: string | undefined): boolean {
    if (!traceId || this.ratioBound === 0) return false;
    return Number.parseInt(traceId.slice(-8), 16) < this.ratioBound;
  }

  private release(segment: Segment, decision: TailDecision): void {
    this.segments.delete(segment.rootSpanId);
    this.bufferedSpans -= segment.ended.length;
    const forward = decision !== 'dropped';
    this.remember(segment.rootSpanId, forward);
    this.count(decision, segment.ended.length);
    if (forward) for (const span of segment.ended) this.downstream.onEnd(span);
  }

  private releaseAll(): void {
    for (const segment of [...this.segments.values()]) {
      this.release(segment, this.keep(segment) ? 'kept' : 'dropped');
    }
  }

  /** A span of an already released segment: follow that segment's decision. */
  private forwardLate(span: ReadableSpan, rootSpanId: string): void {
    const keep = this.decided.get(rootSpanId) ?? true;
    if (keep) this.downstream.onEnd(span);
    else this.counts.droppedSpans++;
  }

  private enforceBounds(): void {
    // Spans that never end (an app bug) must not grow the span → root index without bound.
    while (this.rootOf.size > this.policy.maxBufferedSpans * 2) {
      const stale = this.rootOf.keys().next().value;
      if (stale === undefined) break;
      this.rootOf.delete(stale);
    }
    while (
      this.segments.size > this.policy.maxBufferedTraces ||
      this.bufferedSpans > this.policy.maxBufferedSpans
    ) {
      const oldest = this.segments.values().next().value;
      if (!oldest) return;
      this.release(oldest, 'overflow');
    }
  }

  private remember(rootSpanId: string, keep: boolean): void {
    this.decided.set(rootSpanId, keep);
    if (this.decided.size > DECISION_MEMORY) {
      const oldest = this.decided.keys().next().value;
      if (oldest !== undefined) this.decided.delete(oldest);
    }
  }

  private count(decision: TailDecision, spans: number): void {
    if (decision === 'kept') this.counts.keptTraces++;
    else if (decision === 'overflow') this.counts.overflowTraces++;
    else {
      this.counts.droppedTraces++;
      this.counts.droppedSpans += spans;
    }
    this.decisionsCounter ??= metrics
      .getMeter(SCOPE_NAME, SCOPE_VERSION)
      .createCounter('agentsight.tail_sampling.traces', {
        description: 'Trace segments judged by tail sampling, by decision',
      });
    this.decisionsCounter.add(1, { decision });
  }
}
