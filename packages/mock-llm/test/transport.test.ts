import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustedFetch, type MockLlmServer, startMockLlm } from '../src/index.js';
import { openaiClient } from './clients.js';

const run = promisify(execFile);

let server: MockLlmServer;
beforeAll(async () => {
  server = await startMockLlm();
});
afterAll(() => server.close());

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] });

describe('TLS', () => {
  it('serves a certificate for localhost and 127.0.0.1 that untrusting clients reject', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.openaiBaseURL).toBe(`${server.url}/v1`);
    expect(server.anthropicBaseURL).toBe(server.url);
    expect(server.caCert).toContain('-----BEGIN CERTIFICATE-----');
    await expect(fetch(`${server.url}/v1/models`)).rejects.toThrow();
    const viaLocalhost = await server.fetch(`${server.url.replace('127.0.0.1', 'localhost')}/v1/nope`, {
      method: 'POST',
    });
    expect(viaLocalhost.status).toBe(404);
  });

  it('is trusted by a child process through NODE_EXTRA_CA_CERTS with the global fetch', async () => {
    const script = `
      const response = await fetch(process.argv[1] + '/v1/chat/completions', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: process.argv[2],
      });
      console.log(JSON.stringify(await response.json()));`;
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', script, server.url, chatBody],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: server.caCertPath } },
    );
    expect(JSON.parse(stdout).choices[0].message.content).toBe('This is a mock reply to: ping');
  });

  it('createTrustedFetch trusts a PEM read from caCertPath', async () => {
    const { readFile } = await import('node:fs/promises');
    const trusted = createTrustedFetch(await readFile(server.caCertPath, 'utf8'));
    try {
      const response = await trusted.fetch(`${server.openaiBaseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chatBody,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    } finally {
      trusted.close();
    }
  });

  it('reuses the per-process certificate across servers', async () => {
    const second = await startMockLlm();
    try {
      expect(second.caCert).toBe(server.caCert);
      expect(second.url).not.toBe(server.url);
    } finally {
      await second.close();
    }
  });
});

describe('plain HTTP', () => {
  it('serves the same API without TLS, usable with the global fetch', async () => {
    const plain = await startMockLlm({ tls: false });
    try {
      expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(plain.caCert).toBe('');
      plain.enqueue({ text: 'plain text over plain http' });
      const response = await fetch(`${plain.openaiBaseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chatBody,
      });
      expect((await response.json()).choices[0].message.content).toBe('plain text over plain http');
    } finally {
      await plain.close();
    }
  });
});

describe('concurrency', () => {
  it('serves 60 concurrent streaming requests on separate connections', async () => {
    const client = openaiClient(server);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const stream = await client.chat.completions.create(
          { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `request ${i}` }], stream: true },
          { headers: { 'x-mock-think-ms': '200' } },
        );
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        return text;
      }),
    );
    answers.forEach((answer, i) => {
      expect(answer).toBe(`This is a mock reply to: request ${i}`);
    });
    // Served in parallel: 60 x 200 ms think time would take 12 s if serialised.
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
