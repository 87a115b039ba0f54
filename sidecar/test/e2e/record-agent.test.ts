import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MockLlmServer, startMockLlm } from '@agentsight/mock-llm';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '@agentsight/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, isRoot, type RecordRun, readJsonl, runRecord } from './run-record.js';

if (!isRoot) {
  console.error(
    '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' +
      '!!! SKIPPING sidecar e2e tests: they load BPF programs and must run as root.   !!!\n' +
      `!!! This process runs as uid ${process.getuid?.()}; rerun as root to exercise the real capture. !!!\n` +
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n',
  );
}

const API_KEY = 'sk-e2e-SECRET-0123456789abcdef';
const FIXTURE = 'test/e2e/fixtures/agent.mjs';

interface ToolRun {
  pid: number;
  code: number;
  stdout: string;
  spanId: string;
  traceId: string;
}

interface CallResult {
  content: string;
  usage: { prompt_tokens: number; completion_tokens: number };
  body: string;
}

interface AgentResult {
  pid: number;
  agentSpanId: string;
  plain: CallResult;
  streamed: CallResult;
  python: ToolRun;
  curl: ToolRun;
  concurrent: Array<{ id: string; content: string }>;
}

type JsonRecord = Record<string, any>;

describe.skipIf(!isRoot)('agentsight-sidecar record, real BPF, around a traced Node agent', () => {
  let llm: MockLlmServer;
  let rx: OtlpReceiver;
  let run: RecordRun;
  let result: AgentResult;
  let lines: JsonRecord[];
  let dir: string | undefined;
  let exchanges: JsonRecord[];
  let sidecarSpans: ReceivedSpan[];

  beforeAll(async () => {
    assertBuilt();
    llm = await startMockLlm();
    rx = await startOtlpReceiver();
    dir = mkdtempSync(join(tmpdir(), 'sidecar-e2e-'));
    const jsonlPath = join(dir, 'capture.jsonl');
    const resultPath = join(dir, 'agent-result.json');
    run = await runRecord(
      [
        '--jsonl',
        jsonlPath,
        '--otlp-endpoint',
        rx.url,
        '--service-name',
        'e2e-sidecar',
        '--',
        process.execPath,
        '--import',
        '@agentsight/otel/register',
        FIXTURE,
      ],
      {
        ...process.env,
        MOCK_LLM_URL: llm.url,
        MOCK_LLM_CA: llm.caCertPath,
        NODE_EXTRA_CA_CERTS: llm.caCertPath,
        E2E_RESULT_PATH: resultPath,
        E2E_API_KEY: API_KEY,
        OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
        OTEL_SERVICE_NAME: 'e2e-agent',
        AGENTSIGHT_LLM_HOSTS: '127.0.0.1',
      },
      60_000,
    );
    if (run.status !== 0) throw new Error(`sidecar record exited with ${run.status}; stderr:\n${run.stderr}`);
    result = JSON.parse(readFileSync(resultPath, 'utf8'));
    lines = readJsonl(jsonlPath);
    exchanges = lines.filter((l) => l.type === 'http');
    // The app flushes on exit and the sidecar on stop: both are done when `record` returns.
    sidecarSpans = (
      await rx.waitForSpans((all) => all.some((s) => s.resource['service.name'] === 'e2e-sidecar'), 5000)
    ).filter((s) => s.resource['service.name'] === 'e2e-sidecar');
  }, 90_000);

  afterAll(async () => {
    await llm?.close();
    await rx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const exchangeWith = (pid: number, marker: string): JsonRecord => {
    const found = exchanges.filter((x) => x.pid === pid && String(x.request.body).includes(marker));
    expect(found, `exchanges of pid ${pid} with '${marker}' in the request body`).toHaveLength(1);
    return found[0];
  };
  const recordedRequest = (marker: string) => {
    const found = llm.requests.filter((r) => r.body.includes(marker));
    expect(found, `mock requests with '${marker}'`).toHaveLength(1);
    return found[0];
  };
  const processSpan = (pid: number): ReceivedSpan => {
    const found = sidecarSpans.filter(
      (s) => s.name.startsWith('process ') && s.attributes['process.pid'] === pid,
    );
    expect(found, `process span of pid ${pid}`).toHaveLength(1);
    return found[0];
  };

  it('exits with the command status and reports what it saw', () => {
    expect(run.stderr).toMatch(/traced \d+ processes, \d+ HTTP exchanges \(\d+ LLM calls/);
    expect(lines.at(-1)).toMatchObject({ type: 'stats', final: true });
  });

  it('holds byte-exact request and response bodies of the plain and streamed LLM calls, reassembled', () => {
    for (const [marker, call, stream] of [
      ['plain call', result.plain, false],
      ['streamed call', result.streamed, true],
    ] as const) {
      const x = exchangeWith(result.pid, marker);
      expect(x.request.bodyEncoding).toBe('utf8');
      expect(x.request.body).toBe(recordedRequest(marker).body);
      expect(x.response.body).toBe(call.body);
      expect(x.llm).toMatchObject({
        provider: 'openai',
        operation: 'chat',
        stream,
        requestModel: 'gpt-4o-mini',
        outputText: call.content,
        usage: { inputTokens: call.usage.prompt_tokens, outputTokens: call.usage.completion_tokens },
      });
      expect(x.request.headers.authorization).toBe('[REDACTED]');
    }
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain(API_KEY);
    const sidecarBytes = rx.requests.map((r) => r.bytes.toString('latin1')).join('');
    expect(sidecarBytes).not.toContain(API_KEY);
  });

  it("puts each sidecar chat span in the app's trace, under the span named in the traceparent the server saw", () => {
    for (const marker of ['plain call', 'streamed call']) {
      const traceparent = String(recordedRequest(marker).headers.traceparent);
      const [, traceId, parentSpanId] = traceparent.split('-');
      const x = exchangeWith(result.pid, marker);
      expect(x).toMatchObject({ traceId, parentSpanId, correlation: 'traceparent' });
      const span = sidecarSpans.find((s) => s.spanId === x.spanId)!;
      expect(span).toMatchObject({ name: 'chat gpt-4o-mini', kindName: 'CLIENT', traceId, parentSpanId });
      expect(span.attributes).toMatchObject({ 'agentsight.source': 'ebpf', 'process.pid': result.pid });
      const appSpan = rx.spans.find((s) => s.spanId === parentSpanId);
      expect(appSpan?.resource['service.name'], 'the app exported the parent span').toBe('e2e-agent');
      expect(appSpan?.traceId).toBe(traceId);
    }
  });

  it('puts python3 and curl under the tool spans that spawned them, with argv, exit code and their HTTPS calls', () => {
    for (const [tool, marker, executable] of [
      [result.python, 'from python', /python/],
      [result.curl, 'from curl', /curl$/],
    ] as const) {
      expect(tool.code).toBe(0);
      const proc = processSpan(tool.pid);
      expect(proc).toMatchObject({ traceId: tool.traceId, parentSpanId: tool.spanId });
      expect(proc.attributes).toMatchObject({ 'process.exit.code': 0, 'agentsight.correlation': 'env' });
      expect(String(proc.attributes['process.executable.path'])).toMatch(executable);
      const argv = proc.attributes['process.command_args'] as string[];
      expect(argv.join(' ')).toContain(marker);
      expect(argv.join(' ')).not.toContain(API_KEY);

      const x = exchangeWith(tool.pid, marker);
      expect(x.request.body).toBe(recordedRequest(marker).body);
      expect(JSON.parse(x.response.body).choices[0].message.content).toBe(
        `This is a mock reply to: ${marker}`,
      );
      expect(x.response.body.trim()).toBe(tool.stdout.trim());
      const call = sidecarSpans.find((s) => s.spanId === x.spanId)!;
      expect(call).toMatchObject({
        name: 'chat gpt-4o-mini',
        traceId: tool.traceId,
        parentSpanId: proc.spanId,
      });
    }
    const finalStats = lines.at(-1)!;
    expect(finalStats.capture.attached.some((path: string) => /libssl\.so\.3/.test(path))).toBe(true);
  });

  it('pairs each of 50 concurrent keep-alive requests from one process with its own response', () => {
    expect(result.concurrent).toHaveLength(50);
    const concurrent = exchanges.filter(
      (x) => x.pid === result.pid && String(x.request.body).includes('concurrent req-'),
    );
    expect(concurrent).toHaveLength(50);
    for (const x of concurrent) {
      const id = /concurrent (req-\d+)/.exec(x.request.body)![1];
      expect(JSON.parse(x.response.body).choices[0].message.content).toBe(
        `This is a mock reply to: concurrent ${id}`,
      );
      expect(result.concurrent.find((c) => c.id === id)?.content).toBe(
        `This is a mock reply to: concurrent ${id}`,
      );
    }
    expect(new Set(concurrent.map((x) => x.connId)).size).toBeLessThanOrEqual(4);
  });
});
