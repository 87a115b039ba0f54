import { type Context, propagation } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SESSION_KEYS } from './keys.js';

/**
 * Copies `session.id` and `user.id` from the baggage of the context a span starts in onto the
 * span, whichever instrumentation created it, so backends can group spans by session.
 */
export class SessionSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext);
    if (!baggage) return;
    for (const key of SESSION_KEYS) {
      const value = baggage.getEntry(key)?.value;
      if (value) span.setAttribute(key, value);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
