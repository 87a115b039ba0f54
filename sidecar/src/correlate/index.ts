export { ATTR, EVENT } from './attribute-names.js';
export {
  type ActivityEvent,
  type CorrelateStats,
  Correlator,
  type CorrelatorOptions,
  type Placement,
} from './correlator.js';
export { parseHostHeader } from './exchange-span.js';
export { type ProcessSnapshot, readProcessSnapshot } from './process-snapshot.js';
export type { Correlation, SpanEventRecord, SpanPlacement, SpanRecord } from './span-record.js';
export { parseTraceparentValue, parseXTraceId, type RemoteContext } from './trace-context.js';
