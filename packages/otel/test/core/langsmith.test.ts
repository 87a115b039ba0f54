import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { type OtlpReceiver, startOtlpReceiver } from '@agentsight/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFixture } from './run-fixture.js';

/**
 * Stands in for api.smith.langchain.com: records each request, then hands OTLP bodies sent to
 * /otel/v1/traces to a real receiver's /v1/traces for decoding.
 */
async function startLangSmithEndpoint(rx: OtlpReceiver) {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    const forward = request(
      rx.tracesUrl,
      { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' } },
      (upstream) => {
        res.writeHead(req.url === '/otel/v1/traces' ? (upstream.statusCode ?? 502) : 404);
        upstream.pipe(res);
      },
    );
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

let main: OtlpReceiver;
let langsmithRx: OtlpReceiver;
let endpoint: Awaited<ReturnType<typeof startLangSmithEndpoint>>;

beforeAll(async () => {
  main = await startOtlpReceiver();
  langsmithRx = await startOtlpReceiver();
  endpoint = await startLangSmithEndpoint(langsmithRx);
  const run = await runFixture('langsmith', {
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: main.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer collector-secret',
      OTEL_METRICS_EXPORTER: 'none',
      LANGSMITH_TRACING: 'true',
      LANGSMITH_API_KEY: 'lsv2-test-key',
      LANGSMITH_ENDPOINT: `${endpoint.url}/`,
      LANGSMITH_PROJECT: 'agents-test',
    },
  });
  expect(run.code).toBe(0);
});
afterAll(async () => {
  await endpoint.close();
  await main.close();
  await langsmithRx.close();
});

describe('LangSmith export', () => {
  it('posts to {endpoint}/otel/v1/traces with x-api-key and Langsmith-Project, and no collector credentials', async () => {
    await langsmithRx.waitForSpans((spans) => spans.length >= 3);
    expect(endpoint.seen.map((r) => r.path)).toEqual(['/otel/v1/traces']);
    const { headers } = endpoint.seen[0];
    expect(headers['x-api-key']).toBe('lsv2-test-key');
    expect(headers['langsmith-project']).toBe('agents-test');
    expect(headers.authorization).toBeUndefined();
  });

  it('marks spans with langsmith.span.kind by GenAI operation, and the project', async () => {
    const spans = await langsmithRx.waitForSpans((all) => all.length >= 3);
    const kinds = Object.fromEntries(spans.map((s) => [s.name, s.attributes['langsmith.span.kind']]));
    expect(kinds).toEqual({
      'invoke_agent researcher': 'chain',
      'chat gpt-4o': 'llm',
      'execute_tool search': 'tool',
    });
    expect(spans.every((s) => s.attributes['langsmith.trace.session_name'] === 'agents-test')).toBe(true);
  });

  it('leaves the main collector’s copy without LangSmith attributes', async () => {
    const spans = await main.waitForSpans((all) => all.length >= 3);
    expect(spans.some((s) => 'langsmith.span.kind' in s.attributes)).toBe(false);
    expect(main.requests[0].headers.authorization).toBe('Bearer collector-secret');
    expect(main.requests[0].headers['x-api-key']).toBeUndefined();
  });
});
