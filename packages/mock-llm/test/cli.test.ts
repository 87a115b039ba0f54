import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrustedFetch } from '../src/index.js';

// The CLI as shipped: turbo builds dist/ before the tests run.
const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(cliPath))
    throw new Error(`${cliPath} is missing: run \`pnpm --filter @agentsight/mock-llm build\``);
});

async function startCli(
  args: string[],
): Promise<{ child: ChildProcess; info: { url: string; caCertPath: string } }> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  return { child, info: JSON.parse(line) };
}

describe('mock-llm CLI', () => {
  it('prints its JSON line, serves HTTPS with the printed CA, and exits cleanly on SIGTERM', async () => {
    const { child, info } = await startCli(['--port', '0']);
    expect(info.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const trusted = createTrustedFetch(await readFile(info.caCertPath, 'utf8'));
    try {
      const response = await trusted.fetch(`${info.url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'e', input: 'hi', dimensions: 4 }),
      });
      expect((await response.json()).data[0].embedding).toHaveLength(4);
    } finally {
      trusted.close();
    }
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('writes the CA to --ca-out, names extra --hostname SANs, and answers /health', async () => {
    const caOut = join(mkdtempSync(join(tmpdir(), 'mock-llm-ca-')), 'ca.pem');
    const { child, info } = await startCli(['--hostname', 'mock-llm', '--ca-out', caOut]);
    try {
      const pem = await readFile(caOut, 'utf8');
      expect(pem).toBe(await readFile(info.caCertPath, 'utf8'));
      expect(new X509Certificate(pem).subjectAltName).toContain('DNS:mock-llm');
      const trusted = createTrustedFetch(pem);
      try {
        const response = await trusted.fetch(`${info.url}/health`);
        expect(await response.json()).toEqual({ status: 'ok' });
      } finally {
        trusted.close();
      }
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('serves plain HTTP with --http and exits on SIGINT', async () => {
    const { child, info } = await startCli(['--http', '--host', '127.0.0.1']);
    expect(info).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), caCertPath: '' });
    const response = await fetch(`${info.url}/v1/unknown`, { method: 'POST' });
    expect(response.status).toBe(404);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('rejects an invalid port with a usage message', async () => {
    const child = spawn(process.execPath, [cliPath, '--port', 'abc'], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('usage: mock-llm');
  });
});
