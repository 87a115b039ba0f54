import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { buildExchangeSpan } from '../../src/correlate/exchange-span.js';
import type { SpanPlacement } from '../../src/correlate/span-record.js';
import { exchange } from './synthetic-events.js';

const placement: SpanPlacement = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'aaaaaaaaaaaaaaaa',
  traceFlags: 1,
  correlation: 'traceparent',
};

describe('exchanges the traced process served', () => {
  it('become SERVER spans with the path and query it received, not a URL it called', () => {
    const x = exchange({ pid: 5, startMs: 0, endMs: 10 });
    x.inbound = true;
    x.request.target = '/v1/run?session=abc';
    const span = buildExchangeSpan(x, placement, { captureContent: false });
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.scheme': 'https',
      'url.path': '/v1/run',
      'url.query': 'session=abc',
      'http.response.status_code': 200,
    });
    expect(span.attributes['url.full']).toBeUndefined();
  });

  it('keeps requests the process sent as CLIENT spans with url.full', () => {
    const span = buildExchangeSpan(exchange({ pid: 5, startMs: 0, endMs: 10 }), placement, {
      captureContent: false,
    });
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes['url.full']).toBe('https://127.0.0.1:8443/v1/chat/completions');
  });
});
