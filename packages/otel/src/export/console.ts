import { ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Debug output: every span, before tail sampling, printed as it ends. */
export function consoleSpanProcessor(): SpanProcessor {
  return new SimpleSpanProcessor(new ConsoleSpanExporter());
}
