import { decodeMessage } from '../protobuf/schema-decoder.js';
import type { ReceivedMetric, ReceivedSpan } from '../types.js';
import { metricsFromRequest } from './metrics.js';
import { ExportMetricsServiceRequest, ExportTraceServiceRequest } from './schemas.js';
import { spansFromRequest } from './spans.js';
import { InvalidOtlpError, messageOf, type OtlpMessage } from './values.js';

export type OtlpEncoding = 'protobuf' | 'json';

export function decodeTraceRequest(body: Uint8Array, encoding: OtlpEncoding): ReceivedSpan[] {
  const request =
    encoding === 'protobuf' ? decodeMessage(body, ExportTraceServiceRequest) : parseJsonRequest(body);
  return spansFromRequest(request);
}

export function decodeMetricsRequest(body: Uint8Array, encoding: OtlpEncoding): ReceivedMetric[] {
  const request =
    encoding === 'protobuf' ? decodeMessage(body, ExportMetricsServiceRequest) : parseJsonRequest(body);
  return metricsFromRequest(request);
}

function parseJsonRequest(body: Uint8Array): OtlpMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw new InvalidOtlpError(`body is not valid JSON: ${(error as Error).message}`);
  }
  return messageOf(parsed, 'request');
}
