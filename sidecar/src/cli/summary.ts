import type { PipelineStats } from '../pipeline.js';

function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/** The one-paragraph account printed on exit: what was seen, what was sent, what was lost. */
export function formatSummary(s: PipelineStats): string {
  const c = s.correlate;
  const seen =
    plural(c.processes, 'process', 'processes') +
    `, ${plural(c.exchanges, 'HTTP exchange')} (${plural(c.llmCalls, 'LLM call')}, ` +
    `${c.exchangesJoinedByHeader} joined by traceparent/x-trace-id), ` +
    `${plural(c.processesJoinedByEnv, 'process', 'processes')} joined by TRACEPARENT, ${plural(c.undecodedConnections, 'undecoded connection')}, ${plural(c.spans, 'span')}`;
  const sent = [
    s.otlp
      ? `OTLP ${s.otlp.exportedSpans} exported, ${s.otlp.droppedSpans} dropped, ${s.otlp.failedSpans} failed` +
        (s.otlp.rejectedSpans ? `, ${s.otlp.rejectedSpans} rejected by the collector` : '') +
        (s.otlp.unsampledSpans ? `, ${s.otlp.unsampledSpans} unsampled` : '')
      : 'OTLP off',
    s.jsonl
      ? `JSONL ${plural(s.jsonl.lines, 'line')} to ${s.jsonl.path} (${s.jsonl.droppedLines} dropped)`
      : undefined,
  ]
    .filter(Boolean)
    .join('; ');
  const lost =
    `kernel ${plural(s.loss.kernelDroppedRecords, 'record')} (${s.loss.kernelDroppedBytes} bytes), ` +
    `user ${plural(s.loss.userDroppedRecords, 'record')}, decoder ${s.decode.droppedBytes} bytes in no record (over the body limit, or skipped to resync after a gap), ` +
    `${s.decode.gapBytes} gap bytes, ${plural(s.decode.parseErrors, 'parse error')}, ` +
    `${plural(c.droppedSpanEvents, 'span event')} over the per-process limit` +
    (s.internalErrors ? `, ${plural(s.internalErrors, 'internal error')}` : '');
  return `agentsight-sidecar: traced ${seen}. Sent: ${sent}. Lost: ${lost}.\n`;
}
