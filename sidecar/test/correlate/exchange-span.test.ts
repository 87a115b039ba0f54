import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { buildExchangeSpan, parseHostHeader } from '../../src/correlate/exchange-span.js';
import type { SpanPlacement } from '../../src/correlate/span-record.js';
import { APP_SPAN_ID, APP_TRACE_ID, chatCall, exchange, ns } from './synthetic-events.js';

const placement: SpanPlacement = {
  traceId: APP_TRACE_ID,
  spanId: 'aaaaaaaaaaaaaaaa',
  parentSpanId: APP_SPAN_ID,
  traceFlags: 1,
  correlation: 'traceparent',
};

describe('buildExchangeSpan', () => {
  it('turns an LLM call into a chat span with GenAI attributes and timings, no content by default', () => {
    const x = exchange({ pid: 42, startMs: 10, endMs: 250, llm: chatCall({ stream: true }) });
    const span = buildExchangeSpan(x, placement, { captureContent: false });
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.startNs).toBe(ns(10));
    expect(span.endNs).toBe(ns(250));
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.response.time_to_first_chunk': 0.005,
      'server.address': '127.0.0.1',
      'server.port': 8443,
      'url.full': 'https://127.0.0.1:8443/v1/chat/completions',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'process.pid': 42,
      'agentsight.source': 'ebpf',
      'agentsight.correlation': 'traceparent',
    });
    expect(span.events).toEqual([{ name: 'gen_ai.first_chunk', tsNs: ns(15), attributes: {} }]);
    for (const key of Object.keys(span.attributes)) {
      expect(key).not.toMatch(/messages|instructions|body/);
    }
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('adds bodies and messages in the GenAI JSON shape with content capture', () => {
    const llm = chatCall({
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      finishReasons: ['tool_calls'],
    });
    const x = exchange({
      pid: 42,
      startMs: 0,
      endMs: 1,
      llm,
      requestBody: '{"req":1}',
      responseBody: '{"res":2}',
    });
    const span = buildExchangeSpan(x, placement, { captureContent: true });
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Say hi' }] },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.system_instructions']))).toEqual([
      { type: 'text', content: 'You are terse.' },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Hi!' },
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
        ],
        finish_reason: 'tool_calls',
      },
    ]);
    expect(span.attributes['agentsight.http.request.body']).toBe('{"req":1}');
    expect(span.attributes['agentsight.http.response.body']).toBe('{"res":2}');
  });

  it('marks provider errors and missing responses as errors', () => {
    const failed = exchange({
      pid: 1,
      startMs: 0,
      endMs: 1,
      status: 429,
      llm: chatCall({ error: { type: 'rate_limit_exceeded', message: 'slow down' } }),
    });
    const span = buildExchangeSpan(failed, placement, { captureContent: false });
    expect(span.attributes['error.type']).toBe('rate_limit_exceeded');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'slow down' });

    const cut = exchange({ pid: 1, startMs: 0, endMs: 1 });
    delete cut.response;
    cut.problem = 'connection closed before a response';
    cut.gaps = [{ direction: 'read', offset: 10, length: 90 }];
    const cutSpan = buildExchangeSpan(cut, placement, { captureContent: false });
    expect(cutSpan.name).toBe('POST');
    expect(cutSpan.endNs).toBe(ns(1));
    expect(cutSpan.attributes).toMatchObject({
      'error.type': 'no_response',
      'agentsight.http.problem': 'connection closed before a response',
      'agentsight.capture.gap_count': 1,
      'agentsight.capture.gap_bytes': 90,
    });
    expect(cutSpan.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'connection closed before a response',
    });
  });

  it('describes each server by its own Host header, however the exchanges interleave', () => {
    const hosts: [string | undefined, Record<string, unknown>][] = [
      ['api.openai.com', { 'server.address': 'api.openai.com', 'server.port': 443 }],
      ['127.0.0.1:8443', { 'server.address': '127.0.0.1', 'server.port': 8443 }],
      ['[::1]:9000', { 'server.address': '::1', 'server.port': 9000 }],
      [undefined, { 'server.port': 443 }],
    ];
    for (const round of [0, 1, 2]) {
      for (const [host, expected] of round === 1 ? [...hosts].reverse() : hosts) {
        const x = exchange({ pid: 1, startMs: 0, endMs: 1 });
        if (host === undefined) delete x.request.headers.host;
        else x.request.headers.host = host;
        const { attributes } = buildExchangeSpan(x, placement, { captureContent: false });
        expect(attributes).toMatchObject(expected);
        if (host === undefined) expect(attributes['server.address']).toBeUndefined();
      }
    }
  });
});

describe('parseHostHeader', () => {
  it('splits names, ports and bracketed IPv6 addresses, defaulting to 443', () => {
    expect(parseHostHeader('api.openai.com')).toEqual({ address: 'api.openai.com', port: 443 });
    expect(parseHostHeader('localhost:8443')).toEqual({ address: 'localhost', port: 8443 });
    expect(parseHostHeader('[::1]:9000')).toEqual({ address: '::1', port: 9000 });
    expect(parseHostHeader(undefined)).toEqual({ port: 443 });
  });
});
