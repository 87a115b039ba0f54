import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '@agentsight/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline, type Pipeline } from '../../src/pipeline.js';
import {
  APP_SPAN_ID,
  APP_TRACE_ID,
  connect,
  exec,
  exit,
  fileOpen,
  fork,
  TRACEPARENT,
} from '../correlate/synthetic-events.js';
import { chatCompletionBody, httpRequest, httpResponse, TlsConnection } from './tls-bytes.js';

const API_KEY = 'sk-test-SECRET-4242424242';
const BODY_SECRET = 'ssn=123-45-6789';
const TOOL_SPAN_ID = '1111111111111111';
const TOOL_TRACEPARENT = `00-${APP_TRACE_ID}-${TOOL_SPAN_ID}-01`;

/** The agent scenario: node (no context) → LLM call with traceparent; python3 tool with TRACEPARENT; shell; curl. */
function runAgentScenario(pipeline: Pipeline): void {
  pipeline.handle(exec(10, 1, ['node', 'agent.js'], 0));
  const llm = new TlsConnection('10:1:0x1', 10, 'node');
  const request = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: `hi ${BODY_SECRET}` }],
  });
  pipeline.handle(
    llm.data(
      'write',
      httpRequest(
        '/v1/chat/completions',
        { authorization: `Bearer ${API_KEY}`, traceparent: TRACEPARENT },
        request,
      ),
      1,
    ),
  );
  pipeline.handle(llm.data('read', httpResponse(200, chatCompletionBody('Hello!')), 40));

  pipeline.handle(fork(10, 1, 'node', 11, 50));
  pipeline.handle(exec(11, 10, ['python3', 'tool.py'], 51, { TRACEPARENT: TOOL_TRACEPARENT }));
  const py = new TlsConnection('11:2:0x2', 11, 'python3');
  pipeline.handle(py.data('write', httpRequest('/v1/search', { 'x-api-key': API_KEY }, '{"q":1}'), 55));
  pipeline.handle(py.data('read', httpResponse(200, '{"hits":[]}'), 60));
  pipeline.handle(py.close(61));

  pipeline.handle(fork(11, 10, 'python3', 12, 62));
  pipeline.handle(
    exec(12, 11, ['/bin/sh', '-c', 'curl https://127.0.0.1:8443/v1/x'], 63, {
      TRACEPARENT: TOOL_TRACEPARENT,
    }),
  );
  pipeline.handle(fork(12, 11, 'sh', 13, 64));
  pipeline.handle(
    exec(13, 12, ['/usr/bin/curl', 'https://127.0.0.1:8443/v1/x'], 65, { TRACEPARENT: TOOL_TRACEPARENT }),
  );
  pipeline.handle(connect(13, 'curl', '127.0.0.1', 8443, 66));
  pipeline.handle(fileOpen(13, 'curl', '/etc/ssl/certs/ca.pem', 66, 3));
  const curl = new TlsConnection('13:3:0x3', 13, 'curl');
  pipeline.handle(
    curl.data(
      'write',
      httpRequest('/v1/x', { 'x-trace-id': APP_TRACE_ID, cookie: `session=${API_KEY}` }, '{}'),
      67,
    ),
  );
  pipeline.handle(
    curl.data('read', httpResponse(404, '{"error":"nope"}', { 'set-cookie': `s=${API_KEY}` }), 68),
  );
  pipeline.handle(curl.close(69));
  pipeline.handle(exit(13, 12, 'curl', 70, 0));
  pipeline.handle(exit(12, 11, 'sh', 71, 0));
  pipeline.handle(exit(11, 10, 'python3', 72, 0));
  pipeline.handle({
    kind: 'loss',
    tsNs: exec(0, 0, ['x'], 73).tsNs,
    kernelDroppedRecords: 3,
    kernelDroppedBytes: 300,
    userDroppedRecords: 1,
  });
  pipeline.handle(llm.close(80));
  pipeline.handle(exit(10, 1, 'node', 81, 0));
}

function one(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const matching = spans.filter((s) => s.name === name);
  expect(matching, `spans named '${name}'`).toHaveLength(1);
  return matching[0];
}

describe('pipeline: capture events → decode → redact → correlate → OTLP + JSONL', () => {
  let rx: OtlpReceiver;
  let dir: string;
  beforeEach(async () => {
    rx = await startOtlpReceiver();
    dir = mkdtempSync(join(tmpdir(), 'pipeline-'));
  });
  afterEach(async () => {
    await rx.close();
  });

  it('joins every span into the right trace under the right parent', async () => {
    const pipeline = createPipeline({
      otlp: { endpoint: rx.url, flushIntervalMs: 50 },
      serviceName: 'pipeline-test',
      redact: { bodyPatterns: [/ssn=[\d-]+/g] },
    });
    runAgentScenario(pipeline);
    const stats = await pipeline.stop();
    const spans = await rx.waitForSpans((all) => all.length >= 7, 5000);
    expect(spans).toHaveLength(7);

    const node = one(spans, 'process node');
    expect(node.parentSpanId).toBe('');
    expect(node.traceId).not.toBe(APP_TRACE_ID);
    expect(node.attributes['agentsight.correlation']).toBe('none');

    const chat = one(spans, 'chat gpt-4o-mini');
    expect(chat).toMatchObject({ traceId: APP_TRACE_ID, parentSpanId: APP_SPAN_ID, kindName: 'CLIENT' });
    expect(chat.attributes).toMatchObject({
      'agentsight.correlation': 'traceparent',
      'gen_ai.provider.name': 'openai',
      'gen_ai.response.id': 'chatcmpl-abc',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 4,
      'process.pid': 10,
    });
    expect(chat.resource['service.name']).toBe('pipeline-test');

    const python = one(spans, 'process python3');
    expect(python).toMatchObject({ traceId: APP_TRACE_ID, parentSpanId: TOOL_SPAN_ID });
    expect(python.attributes['agentsight.correlation']).toBe('env');

    const search = spans.find((s) => s.attributes['url.full'] === 'https://127.0.0.1:8443/v1/search')!;
    expect(search).toMatchObject({ name: 'POST', traceId: APP_TRACE_ID, parentSpanId: python.spanId });
    expect(search.attributes['agentsight.correlation']).toBe('inferred');

    const sh = one(spans, 'process sh');
    expect(sh).toMatchObject({ traceId: APP_TRACE_ID, parentSpanId: python.spanId });
    const curl = one(spans, 'process curl');
    expect(curl).toMatchObject({ traceId: APP_TRACE_ID, parentSpanId: sh.spanId });
    expect(curl.attributes).toMatchObject({
      'process.exit.code': 0,
      'process.command_args': ['/usr/bin/curl', 'https://127.0.0.1:8443/v1/x'],
    });
    expect(curl.events.map((e) => e.name)).toEqual(['network.connect', 'file.open']);

    const curlCall = spans.find((s) => s.attributes['url.full'] === 'https://127.0.0.1:8443/v1/x')!;
    expect(curlCall).toMatchObject({ traceId: APP_TRACE_ID, parentSpanId: curl.spanId, status: { code: 2 } });
    expect(curlCall.attributes).toMatchObject({
      'agentsight.correlation': 'x-trace-id',
      'http.response.status_code': 404,
    });

    expect(stats.correlate).toMatchObject({ processes: 4, exchanges: 3, llmCalls: 1, spans: 7 });
    expect(stats.loss).toEqual({ kernelDroppedRecords: 3, kernelDroppedBytes: 300, userDroppedRecords: 1 });
    expect(stats.otlp).toMatchObject({ exportedSpans: 7, failedSpans: 0, droppedSpans: 0 });
  });

  it('redacts secrets before any exporter: neither the collector bytes nor the JSONL file hold them', async () => {
    const jsonlPath = join(dir, 'records.jsonl');
    const pipeline = createPipeline({
      otlp: { endpoint: rx.url, flushIntervalMs: 50 },
      jsonlPath,
      captureContent: true,
      redact: { bodyPatterns: [/ssn=[\d-]+/g] },
    });
    runAgentScenario(pipeline);
    pipeline.handle(exec(20, 1, ['curl', '-H', `Authorization: Bearer ${API_KEY}`, 'https://x'], 90));
    pipeline.handle(exit(20, 1, 'curl', 91, 0));
    await pipeline.stop();
    await rx.waitForSpans((all) => all.length >= 8, 5000);

    const secretCurl = rx.spans.find((s) => s.attributes['process.pid'] === 20)!;
    expect(secretCurl.attributes['process.command_args']).toEqual([
      'curl',
      '-H',
      'Authorization: Bearer [REDACTED]',
      'https://x',
    ]);
    const chat = one(rx.spans, 'chat gpt-4o-mini');
    expect(String(chat.attributes['agentsight.http.request.body'])).toContain('"model":"gpt-4o-mini"');
    expect(String(chat.attributes['gen_ai.input.messages'])).toContain('hi ');
    const collectorBytes = Buffer.concat(rx.requests.map((r) => r.bytes)).toString('latin1');
    const fileText = readFileSync(jsonlPath, 'utf8');
    for (const text of [collectorBytes, fileText]) {
      expect(text).toContain('[REDACTED]');
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(BODY_SECRET);
    }
  });

  it('writes typed JSONL lines: records with their placement, activity, spans, loss and stats', async () => {
    const jsonlPath = join(dir, 'records.jsonl');
    const pipeline = createPipeline({ otlp: false, jsonlPath, statsIntervalMs: 0 });
    runAgentScenario(pipeline);
    await pipeline.stop();
    const lines = readFileSync(jsonlPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const types = new Set(lines.map((l) => l.type));
    expect([...types].sort()).toEqual([
      'connect',
      'exec',
      'exit',
      'file',
      'fork',
      'http',
      'loss',
      'span',
      'stats',
    ]);

    const chat = lines.find((l) => l.type === 'http' && l.llm);
    expect(chat).toMatchObject({
      traceId: APP_TRACE_ID,
      parentSpanId: APP_SPAN_ID,
      correlation: 'traceparent',
      pid: 10,
      request: { method: 'POST', target: '/v1/chat/completions', bodyEncoding: 'utf8' },
      response: { status: 200, body: chatCompletionBody('Hello!'), bodyEncoding: 'utf8' },
      llm: { outputText: 'Hello!', usage: { inputTokens: 11, outputTokens: 4 } },
    });
    expect(chat.timings.requestStartNs).toMatch(/^\d+$/);

    const pythonExec = lines.find((l) => l.type === 'exec' && l.pid === 11);
    expect(pythonExec).toMatchObject({
      argv: ['python3', 'tool.py'],
      traceId: APP_TRACE_ID,
      parentSpanId: TOOL_SPAN_ID,
      correlation: 'env',
    });
    const spanLine = lines.find((l) => l.type === 'span' && l.name === 'process curl');
    expect(spanLine).toMatchObject({ kind: 'internal', traceId: APP_TRACE_ID, status: { code: 'unset' } });
    expect(spanLine.attributes['process.command_args']).toEqual([
      '/usr/bin/curl',
      'https://127.0.0.1:8443/v1/x',
    ]);
    const final = lines.at(-1);
    expect(final).toMatchObject({
      type: 'stats',
      final: true,
      loss: { kernelDroppedRecords: 3 },
      correlate: { llmCalls: 1 },
    });
    expect(final.decode.exchanges).toBe(3);
  });

  it('keeps working against a dead collector and stops within its deadline', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const logs: string[] = [];
    const pipeline = createPipeline({
      otlp: { endpoint: `http://127.0.0.1:${port}`, flushIntervalMs: 10, timeoutMs: 500 },
      shutdownTimeoutMs: 2000,
      onLog: (l) => logs.push(l),
    });
    runAgentScenario(pipeline);
    const started = Date.now();
    const stats = await pipeline.stop();
    expect(Date.now() - started).toBeLessThan(2500);
    expect(stats.correlate.spans).toBe(7);
    expect(stats.otlp!.exportedSpans).toBe(0);
    expect(stats.otlp!.failedSpans + stats.otlp!.droppedSpans).toBe(7);
    expect(logs.some((l) => l.includes('OTLP export failed'))).toBe(true);
  });
});
