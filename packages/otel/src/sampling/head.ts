import { ParentBasedSampler, type Sampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';

/**
 * The sampler for an explicit `sampling.ratio`. Without one we return undefined and let the
 * tracer provider build its sampler from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, which
 * SDK 2.x does itself (default parentbased_always_on).
 */
export function headSampler(ratio: number | undefined): Sampler | undefined {
  if (ratio === undefined) return undefined;
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
}
