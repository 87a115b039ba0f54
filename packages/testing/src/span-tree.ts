import type { AttrValue, ReceivedSpan } from './types.js';

export interface SpanTreeOptions {
  /** Attribute keys to show; all attributes when omitted. */
  attributes?: readonly string[];
  /** Longer rendered attribute values are cut to this many characters. Default 60. */
  maxValueLength?: number;
}

/**
 * Renders spans as an indented tree per trace, for debugging output in tests and demos:
 *
 *   trace 4bf92f3577b34da6a3ce929d0e0e4736
 *     invoke_agent [INTERNAL] 12.0 ms gen_ai.agent.name="planner"
 *       chat gpt-4o [CLIENT] 8.1 ms gen_ai.request.model="gpt-4o" !ERROR: rate limited
 *
 * A span whose parent was not received is shown at the top level, marked with the missing parent id.
 */
export function spanTree(spans: readonly ReceivedSpan[], options: SpanTreeOptions = {}): string {
  const byStart = [...spans].sort((a, b) => compareBigint(a.startTimeUnixNano, b.startTimeUnixNano));
  const children = new Map<string, ReceivedSpan[]>();
  const known = new Set(spans.map((s) => s.spanId));
  for (const span of byStart) {
    if (span.parentSpanId !== '' && known.has(span.parentSpanId)) {
      const siblings = children.get(span.parentSpanId) ?? [];
      siblings.push(span);
      children.set(span.parentSpanId, siblings);
    }
  }

  const lines: string[] = [];
  const rendered = new Set<ReceivedSpan>();
  const render = (span: ReceivedSpan, depth: number): void => {
    if (rendered.has(span)) return; // guards against malformed parent cycles
    rendered.add(span);
    lines.push(`${'  '.repeat(depth)}${describeSpan(span, known, options)}`);
    for (const child of children.get(span.spanId) ?? []) render(child, depth + 1);
  };

  for (const traceId of new Set(byStart.map((s) => s.traceId))) {
    lines.push(`trace ${traceId}`);
    const inTrace = byStart.filter((s) => s.traceId === traceId);
    for (const span of inTrace) {
      if (span.parentSpanId === '' || !known.has(span.parentSpanId)) render(span, 1);
    }
    // Spans caught in a parent cycle have no root; show them rather than drop them.
    for (const span of inTrace) render(span, 1);
  }
  return lines.join('\n');
}

function describeSpan(span: ReceivedSpan, known: Set<string>, options: SpanTreeOptions): string {
  const durationMs = Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6;
  const parts = [span.name, `[${span.kindName}]`, `${durationMs.toFixed(1)} ms`];
  const keys = options.attributes ?? Object.keys(span.attributes);
  for (const key of keys) {
    if (key in span.attributes) {
      parts.push(`${key}=${truncate(formatValue(span.attributes[key]), options.maxValueLength ?? 60)}`);
    }
  }
  if (span.parentSpanId !== '' && !known.has(span.parentSpanId)) {
    parts.push(`(parent ${span.parentSpanId} missing)`);
  }
  if (span.status.code === 2) parts.push(`!ERROR${span.status.message ? `: ${span.status.message}` : ''}`);
  return parts.join(' ');
}

function formatValue(value: AttrValue): string {
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `<${v.length} bytes>` : v,
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
