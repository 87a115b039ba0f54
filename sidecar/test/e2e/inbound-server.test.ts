import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getServerCertificate } from '@agentsight/mock-llm';
import { describe, expect, it } from 'vitest';
import { assertBuilt, isRoot, readJsonl, runRecord } from './run-record.js';

describe.skipIf(!isRoot)('agentsight-sidecar record around an HTTPS server (inbound requests)', () => {
  it('decodes the requests the traced server read as SERVER exchanges', async () => {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-inbound-'));
    try {
      const { certPath, keyPath } = await getServerCertificate();
      const portFile = join(dir, 'port');
      const jsonlPath = join(dir, 'capture.jsonl');
      const run = runRecord(
        ['--jsonl', jsonlPath, '--', process.execPath, 'test/e2e/fixtures/https-server.mjs'],
        { ...process.env, CERT_PATH: certPath, KEY_PATH: keyPath, PORT_FILE: portFile },
        30_000,
      );
      await expect
        .poll(() => existsSync(portFile) && readFileSync(portFile, 'utf8') !== '', { timeout: 15_000 })
        .toBe(true);
      const url = `https://127.0.0.1:${readFileSync(portFile, 'utf8')}`;
      const curl = (...args: string[]) =>
        execFileSync('curl', ['-sS', '--cacert', certPath, ...args]).toString();
      expect(curl('-d', 'hello', `${url}/v1/run?x=1`)).toBe('got POST /v1/run?x=1 hello');
      expect(curl(`${url}/health`)).toBe('got GET /health ');
      expect((await run).status).toBe(0);

      const lines = readJsonl(jsonlPath);
      const served = lines.filter((l) => l.type === 'http');
      expect(served.map((l) => [l.inbound, l.request.method, l.request.target, l.response.status])).toEqual([
        [true, 'POST', '/v1/run?x=1', 201],
        [true, 'GET', '/health', 200],
      ]);
      const spans = lines.filter((l) => l.type === 'span' && l.attributes['url.path']);
      expect(spans.map((s) => [s.kind, s.attributes['url.path']])).toEqual([
        ['server', '/v1/run'],
        ['server', '/health'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
