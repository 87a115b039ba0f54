export * from './capture/index.js';
export * from './correlate/index.js';
export * from './decode/index.js';
// Synthetic captures: realistic TLS event sequences for benchmarks and for testing consumers.
export * from './decode/synthetic.js';
export * from './export/index.js';
export {
  createPipeline,
  type LossStats,
  type Pipeline,
  type PipelineOptions,
  type PipelineStats,
  wallClockNs,
} from './pipeline.js';
export * from './redact/index.js';
