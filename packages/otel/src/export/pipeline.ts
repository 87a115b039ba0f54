import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ResolvedConfig } from '../config/resolve.js';
import { TailSamplingProcessor } from '../sampling/tail.js';
import { SessionSpanProcessor } from '../session/processor.js';
import { consoleSpanProcessor } from './console.js';
import { FanOutSpanProcessor } from './fan-out.js';
import { langSmithSpanProcessor } from './langsmith.js';
import { otlpSpanProcessor } from './otlp.js';

/**
 * The provider's span processors, in order: session attributes (onStart), the debug console
 * (every span, unsampled), then the exporters, behind one tail-sampling decision when enabled.
 * `exiting` stops export retries once the process is on its way out.
 */
export function buildSpanProcessors(config: ResolvedConfig, exiting: AbortSignal): SpanProcessor[] {
  const exporting: SpanProcessor[] = [];
  if (config.otlpTraces) exporting.push(otlpSpanProcessor(config, exiting));
  if (config.langsmith) exporting.push(langSmithSpanProcessor(config.langsmith, exiting));

  const processors: SpanProcessor[] = [new SessionSpanProcessor()];
  if (config.consoleTraces) processors.push(consoleSpanProcessor());
  if (exporting.length > 0) {
    const combined = exporting.length === 1 ? exporting[0] : new FanOutSpanProcessor(exporting);
    processors.push(config.tail ? new TailSamplingProcessor(combined, config.tail) : combined);
  }
  return processors;
}
