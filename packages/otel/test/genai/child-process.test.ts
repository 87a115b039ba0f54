import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type MockLlmServer, startMockLlm } from '@agentsight/mock-llm';
import { type OtlpReceiver, startOtlpReceiver } from '@agentsight/testing';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parentSpanIdOf } from './harness.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.resolve(here, '../..');
const fixtures = path.join(here, 'fixtures');

let rx: OtlpReceiver;
let llm: MockLlmServer;
let workDir: string;

/** A throwaway app directory whose node_modules hold the built package, the chosen `openai` major and Anthropic. */
async function appDir(name: string, openaiPackage: 'openai' | 'openai-v4'): Promise<string> {
  const dir = path.join(workDir, name);
  await mkdir(path.join(dir, 'node_modules/@agentsight'), { recursive: true });
  await symlink(packageDir, path.join(dir, 'node_modules/@agentsight/otel'));
  await mkdir(path.join(dir, 'node_modules/@anthropic-ai'), { recursive: true });
  const linkDependency = async (from: string, to: string) =>
    symlink(await realpath(path.join(packageDir, 'node_modules', from)), path.join(dir, 'node_modules', to));
  await linkDependency(openaiPackage, 'openai');
  await linkDependency('@anthropic-ai/sdk', '@anthropic-ai/sdk');
  return dir;
}

async function runApp(dir: string, args: string[]): Promise<void> {
  const env = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: rx.url,
    OTEL_SERVICE_NAME: 'genai-child',
    NODE_EXTRA_CA_CERTS: llm.caCertPath,
    MOCK_OPENAI_BASE_URL: llm.openaiBaseURL,
    MOCK_ANTHROPIC_BASE_URL: llm.anthropicBaseURL,
  };
  await run(process.execPath, args, { cwd: dir, env, timeout: 20_000 });
}

/** Every request the mock saw maps to exactly one GenAI span, named by its traceparent and X-Trace-Id. */
async function expectOneSpanPerRequest(model: string, requests: number) {
  expect(llm.requests).toHaveLength(requests);
  const spans = await rx.waitForSpans(
    (all) => all.filter((s) => s.attributes['gen_ai.request.model'] === model).length >= requests,
  );
  const genai = spans.filter((s) => s.attributes['gen_ai.provider.name'] !== undefined);
  expect(genai).toHaveLength(requests);
  for (const request of llm.requests) {
    const span = genai.find((s) => s.traceId === request.headers['x-trace-id']);
    expect(span?.name).toBe(`chat ${model}`);
    expect(span?.scope.name).toBe('@agentsight/otel');
    expect(parentSpanIdOf(String(request.headers.traceparent))).toBe(span?.spanId);
  }
  return genai;
}

beforeAll(async () => {
  if (
    !existsSync(path.join(packageDir, 'dist/index.cjs')) ||
    !existsSync(path.join(packageDir, 'dist/register.js'))
  ) {
    throw new Error('build the package first: pnpm --filter @agentsight/otel build');
  }
  rx = await startOtlpReceiver();
  llm = await startMockLlm();
  workDir = await mkdtemp(path.join(tmpdir(), 'agentsight-genai-'));
});
afterAll(async () => {
  await llm?.close();
  await rx?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});
beforeEach(() => {
  rx.clear();
  llm.clearRequests();
});

describe('GenAI instrumentation in real processes (built package)', () => {
  it('CJS: init() + require("openai"), plus an overlapping explicit instrument()', async () => {
    const dir = await appDir('cjs', 'openai');
    await copyFile(path.join(fixtures, 'cjs-app.cjs'), path.join(dir, 'app.cjs'));
    await runApp(dir, ['app.cjs']);
    const spans = await expectOneSpanPerRequest('cjs-model', 2);
    expect(spans.map((s) => s.attributes['gen_ai.request.stream']).sort()).toEqual([false, true]);
  });

  it.each(['openai', 'openai-v4'] as const)(
    'ESM: node --import @agentsight/otel/register with %s and @anthropic-ai/sdk',
    async (pkg) => {
      const dir = await appDir(`esm-${pkg}`, pkg);
      await copyFile(path.join(fixtures, 'esm-app.mjs'), path.join(dir, 'app.mjs'));
      await runApp(dir, ['--import', '@agentsight/otel/register', 'app.mjs']);
      const spans = await expectOneSpanPerRequest('esm-model', 2);
      expect(spans.map((s) => s.attributes['gen_ai.provider.name']).sort()).toEqual(['anthropic', 'openai']);
    },
  );

  it('esbuild bundle with openai inlined: instrumentModules({ openai })', async () => {
    const dir = await appDir('bundled', 'openai');
    await build({
      entryPoints: [path.join(fixtures, 'bundled-app.mjs')],
      absWorkingDir: dir,
      nodePaths: [path.join(dir, 'node_modules')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      external: ['@agentsight/otel'],
      outfile: path.join(dir, 'bundle.mjs'),
      logLevel: 'error',
    });
    await runApp(dir, ['bundle.mjs']);
    await expectOneSpanPerRequest('bundled-model', 1);
  });

  it('a stream that is never read still ends its span once it is garbage collected', async () => {
    const dir = await appDir('unread', 'openai');
    await copyFile(path.join(fixtures, 'unread-stream-app.mjs'), path.join(dir, 'app.mjs'));
    await runApp(dir, ['--expose-gc', '--import', '@agentsight/otel/register', 'app.mjs']);
    const [span] = await expectOneSpanPerRequest('unread-model', 1);
    expect(span.attributes['gen_ai.request.stream']).toBe(true);
  });

  it('a plain call never awaited still ends its span, at response time, once it is garbage collected', async () => {
    const dir = await appDir('unparsed', 'openai');
    await copyFile(path.join(fixtures, 'unparsed-call-app.mjs'), path.join(dir, 'app.mjs'));
    await runApp(dir, ['--expose-gc', '--import', '@agentsight/otel/register', 'app.mjs']);
    const [span] = await expectOneSpanPerRequest('unparsed-model', 1);
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.attributes['gen_ai.response.id']).toBeUndefined();
  });
});
