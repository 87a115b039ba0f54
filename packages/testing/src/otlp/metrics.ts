import type { ExponentialBuckets, MetricType, ReceivedMetric, ReceivedMetricPoint } from '../types.js';
import {
  attributesOf,
  double,
  flag,
  flattenScoped,
  InvalidOtlpError,
  int,
  int64,
  listOf,
  messageOf,
  messagesOf,
  type OtlpMessage,
  text,
} from './values.js';

const METRIC_TYPES: readonly MetricType[] = ['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'];

/** Flattens an ExportMetricsServiceRequest (decoded protobuf or parsed JSON) into one entry per metric. */
export function metricsFromRequest(request: OtlpMessage): ReceivedMetric[] {
  return flattenScoped(
    request,
    { resource: 'resourceMetrics', scope: 'scopeMetrics', items: 'metrics' },
    (metric, at, origin) => ({ ...toMetric(metric, at), ...origin }),
  );
}

function toMetric(metric: OtlpMessage, at: string): Omit<ReceivedMetric, 'resource' | 'scope'> {
  const type = METRIC_TYPES.find((candidate) => metric[candidate] !== undefined);
  if (type === undefined) throw new InvalidOtlpError(`${at}: metric has no data (sum, gauge, histogram, …)`);
  const dataAt = `${at}.${type}`;
  const data = messageOf(metric[type], dataAt);
  const points = messagesOf(data.dataPoints, `${dataAt}.dataPoints`).map((point, i) =>
    toPoint(type, point, `${dataAt}.dataPoints[${i}]`),
  );
  const result: Omit<ReceivedMetric, 'resource' | 'scope'> = {
    name: text(metric.name, `${at}.name`),
    description: text(metric.description, `${at}.description`),
    unit: text(metric.unit, `${at}.unit`),
    type,
    points,
  };
  if (type === 'sum') result.isMonotonic = flag(data.isMonotonic, `${dataAt}.isMonotonic`);
  if (type === 'sum' || type === 'histogram' || type === 'exponentialHistogram') {
    result.temporality = int(data.aggregationTemporality, `${dataAt}.aggregationTemporality`);
  }
  return result;
}

function toPoint(type: MetricType, point: OtlpMessage, at: string): ReceivedMetricPoint {
  const out: ReceivedMetricPoint = {
    attributes: attributesOf(point.attributes, `${at}.attributes`),
    startTimeUnixNano: int64(point.startTimeUnixNano, `${at}.startTimeUnixNano`),
    timeUnixNano: int64(point.timeUnixNano, `${at}.timeUnixNano`),
  };
  switch (type) {
    case 'sum':
    case 'gauge':
      if (point.asInt !== undefined) {
        out.value = Number(BigInt.asIntN(64, int64(point.asInt, `${at}.asInt`)));
      } else if (point.asDouble !== undefined) {
        out.value = double(point.asDouble, `${at}.asDouble`);
      } else {
        throw new InvalidOtlpError(`${at}: number data point has neither asInt nor asDouble`);
      }
      return out;
    case 'histogram':
      out.bucketCounts = listOf(point.bucketCounts, `${at}.bucketCounts`).map((c, i) =>
        int(c, `${at}.bucketCounts[${i}]`),
      );
      out.explicitBounds = listOf(point.explicitBounds, `${at}.explicitBounds`).map((b, i) =>
        double(b, `${at}.explicitBounds[${i}]`),
      );
      break;
    case 'exponentialHistogram':
      out.scale = int(point.scale, `${at}.scale`);
      out.zeroCount = int(point.zeroCount, `${at}.zeroCount`);
      out.positive = bucketsOf(point.positive, `${at}.positive`);
      out.negative = bucketsOf(point.negative, `${at}.negative`);
      break;
    case 'summary':
      out.quantiles = messagesOf(point.quantileValues, `${at}.quantileValues`).map((q, i) => ({
        quantile: double(q.quantile, `${at}.quantileValues[${i}].quantile`),
        value: double(q.value, `${at}.quantileValues[${i}].value`),
      }));
      break;
  }
  out.count = int(point.count, `${at}.count`);
  // proto3 `optional` fields: copied only when sent, so tests can tell "absent" from zero.
  for (const key of ['sum', 'min', 'max'] as const) {
    if (point[key] !== undefined) out[key] = double(point[key], `${at}.${key}`);
  }
  return out;
}

function bucketsOf(value: unknown, at: string): ExponentialBuckets {
  const buckets = messageOf(value, at);
  return {
    offset: int(buckets.offset, `${at}.offset`),
    bucketCounts: listOf(buckets.bucketCounts, `${at}.bucketCounts`).map((c, i) =>
      int(c, `${at}.bucketCounts[${i}]`),
    ),
  };
}
