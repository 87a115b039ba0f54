import { randomFillSync } from 'node:crypto';
import { isSpanContextValid } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import type { Correlation, SpanPlacement } from './span-record.js';

/** A remote span context taken from a `traceparent` header or `TRACEPARENT` variable. */
export interface RemoteContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  traceState?: string;
}

const ZERO_TRACE_ID = /^0{32}$/;
const HEX_32 = /^[0-9a-f]{32}$/;

/** One CSPRNG call per 4 KiB of ids instead of one per id: a span id per exchange is on the hot path. */
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

/** Random lower-case hex of `bytes` bytes, never all zeros (an invalid id in W3C trace context). */
function randomHexId(bytes: number): string {
  for (;;) {
    if (randomOffset + bytes > randomPool.length) {
      randomFillSync(randomPool);
      randomOffset = 0;
    }
    const start = randomOffset;
    randomOffset += bytes;
    for (let i = start; i < randomOffset; i++) {
      if (randomPool[i] !== 0) return randomPool.toString('hex', start, randomOffset);
    }
  }
}

export function newTraceId(): string {
  return randomHexId(16);
}

export function newSpanId(): string {
  return randomHexId(8);
}

/** Parses a W3C traceparent; undefined for anything malformed or all-zero (spec: ignore it). */
export function parseTraceparentValue(traceparent: string, tracestate?: string): RemoteContext | undefined {
  const parsed = parseTraceParent(traceparent.trim().toLowerCase());
  if (!parsed || traceparent.trim().startsWith('ff') || !isSpanContextValid(parsed)) return undefined;
  const state = tracestate?.trim();
  const { traceId, spanId, traceFlags } = parsed;
  return { traceId, spanId, traceFlags, ...(state ? { traceState: state } : {}) };
}

/** Accepts a trace id as 32 hex digits, with or without UUID dashes; undefined otherwise. */
export function parseXTraceId(value: string): string | undefined {
  const hex = value.trim().toLowerCase().replaceAll('-', '');
  return HEX_32.test(hex) && !ZERO_TRACE_ID.test(hex) ? hex : undefined;
}

/** Places span `spanId` as a child of `parent` — a remote context or another span's placement. */
export function childOf(parent: RemoteContext, spanId: string, correlation: Correlation): SpanPlacement {
  const placement: SpanPlacement = {
    traceId: parent.traceId,
    spanId,
    parentSpanId: parent.spanId,
    traceFlags: parent.traceFlags,
    correlation,
  };
  if (parent.traceState) placement.traceState = parent.traceState;
  return placement;
}
