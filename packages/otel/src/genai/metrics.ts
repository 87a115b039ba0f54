import { type Attributes, context, type Histogram, type MeterProvider, metrics } from '@opentelemetry/api';
import { SCOPE_NAME, SCOPE_VERSION } from '../internal/version.js';

/** Bucket boundaries the GenAI semconv advises: tokens ×4 from 1 to 4^13, seconds doubling from 10 ms. */
const TOKEN_BUCKETS = Array.from({ length: 14 }, (_, i) => 4 ** i);
const SECONDS_BUCKETS = Array.from({ length: 14 }, (_, i) => 0.01 * 2 ** i);

interface GenAIInstruments {
  tokenUsage: Histogram;
  duration: Histogram;
  timeToFirstChunk: Histogram;
}

/** The attribute sets of one call's measurements; token usage adds `gen_ai.token.type` to the call's. */
export interface MetricAttributeSets {
  call: Attributes;
  inputTokens: Attributes;
  outputTokens: Attributes;
}

/**
 * The global meter provider can be replaced (init() after instrument()), so instruments are cached per
 * provider; looking the provider up is cheaper than `getMeter()`, which builds a scope key every call.
 */
const byProvider = new WeakMap<MeterProvider, GenAIInstruments>();

function instruments(): GenAIInstruments {
  const provider = metrics.getMeterProvider();
  let found = byProvider.get(provider);
  if (!found) {
    const meter = provider.getMeter(SCOPE_NAME, SCOPE_VERSION);
    found = {
      tokenUsage: meter.createHistogram('gen_ai.client.token.usage', {
        description: 'Number of input and output tokens used',
        unit: '{token}',
        advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
      }),
      duration: meter.createHistogram('gen_ai.client.operation.duration', {
        description: 'GenAI operation duration',
        unit: 's',
        advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
      }),
      timeToFirstChunk: meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', {
        description: 'Time to receive the first chunk of a streamed response',
        unit: 's',
        advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
      }),
    };
    byProvider.set(provider, found);
  }
  return found;
}

export function recordCallMetrics(
  attributes: MetricAttributeSets,
  durationSeconds: number,
  timeToFirstChunkSeconds: number | undefined,
  inputTokens: number | undefined,
  outputTokens: number | undefined,
): void {
  const { tokenUsage, duration, timeToFirstChunk } = instruments();
  // One context lookup for all measurements instead of one inside each record().
  const active = context.active();
  duration.record(durationSeconds, attributes.call, active);
  if (timeToFirstChunkSeconds !== undefined) {
    timeToFirstChunk.record(timeToFirstChunkSeconds, attributes.call, active);
  }
  if (inputTokens !== undefined) tokenUsage.record(inputTokens, attributes.inputTokens, active);
  if (outputTokens !== undefined) tokenUsage.record(outputTokens, attributes.outputTokens, active);
}
