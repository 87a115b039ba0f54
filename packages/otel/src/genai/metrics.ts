import { type Attributes, type Histogram, type Meter, metrics } from '@opentelemetry/api';
import { SCOPE_NAME, SCOPE_VERSION } from '../internal/version.js';
import { ATTR } from './attributes.js';

/** Bucket boundaries the GenAI semconv advises: tokens ×4 from 1 to 4^13, seconds doubling from 10 ms. */
const TOKEN_BUCKETS = Array.from({ length: 14 }, (_, i) => 4 ** i);
const SECONDS_BUCKETS = Array.from({ length: 14 }, (_, i) => 0.01 * 2 ** i);

interface GenAIInstruments {
  tokenUsage: Histogram;
  duration: Histogram;
  timeToFirstChunk: Histogram;
}

// The global meter provider can be replaced (init() after instrument()), so instruments are cached per meter.
const byMeter = new WeakMap<Meter, GenAIInstruments>();

function instruments(): GenAIInstruments {
  const meter = metrics.getMeter(SCOPE_NAME, SCOPE_VERSION);
  let found = byMeter.get(meter);
  if (!found) {
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
    byMeter.set(meter, found);
  }
  return found;
}

export interface CallMeasurements {
  attributes: Attributes;
  durationSeconds: number;
  timeToFirstChunkSeconds?: number;
  inputTokens?: number;
  outputTokens?: number;
}

export function recordCallMetrics(m: CallMeasurements): void {
  const { tokenUsage, duration, timeToFirstChunk } = instruments();
  duration.record(m.durationSeconds, m.attributes);
  if (m.timeToFirstChunkSeconds !== undefined)
    timeToFirstChunk.record(m.timeToFirstChunkSeconds, m.attributes);
  if (m.inputTokens !== undefined) {
    tokenUsage.record(m.inputTokens, { ...m.attributes, [ATTR.tokenType]: 'input' });
  }
  if (m.outputTokens !== undefined) {
    tokenUsage.record(m.outputTokens, { ...m.attributes, [ATTR.tokenType]: 'output' });
  }
}
