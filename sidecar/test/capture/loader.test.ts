import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedRecord } from '../../src/capture/record-decoder.js';
import { TlsData } from '../../src/capture/record-layout.js';
import { captureAvailable, startTlsServer, type TestTlsServer } from './helpers.js';
import { RawLoader } from './raw-loader.js';

const isExit = (pid: number) => (r: DecodedRecord) =>
  r.source === 'kernel' && r.event.kind === 'exit' && r.event.pid === pid;
const isAck = (pid: number) => (r: DecodedRecord) =>
  r.source === 'loader' && r.record.kind === 'ack' && r.record.pid === pid;

/** Runs `cmd args` gated, tracked through the loader's stdin protocol, and waits for its exit record. */
async function runGated(
  loader: RawLoader,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const child = spawn('/bin/sh', ['-c', 'read _; exec "$0" "$@"', cmd, ...args], { env, stdio: 'pipe' });
  const pid = child.pid as number;
  child.stdout.resume();
  child.stderr.resume();
  loader.send(`track ${pid}`);
  await loader.waitFor(isAck(pid), `ack ${pid}`);
  child.stdin.write('\n');
  await loader.waitFor(isExit(pid), `exit ${pid}`, 10_000);
  return pid;
}

describe.runIf(captureAvailable('loader.test.ts'))('agentsight-loader protocol', () => {
  let loader: RawLoader;
  let server: TestTlsServer;
  let port: number;
  let certPath: string;

  beforeAll(async () => {
    server = await startTlsServer((_req, _body, res) => res.end('pong'));
    ({ port, certPath } = server);
    loader = new RawLoader();
    await loader.waitFor((r) => r.source === 'loader' && r.record.kind === 'ready', 'READY');
  });

  afterAll(async () => {
    server?.close();
    if (loader) await loader.stop();
  });

  it('forwards only TRACEPARENT/TRACESTATE/BAGGAGE from the environment; secrets never leave', async () => {
    const secret = 'sk-test-DO-NOT-LEAK-0123456789abcdef';
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const pid = await runGated(loader, '/bin/sh', ['-c', 'exit 0'], {
      PATH: process.env.PATH,
      TRACEPARENT: traceparent,
      TRACESTATE: 'vendor=abc',
      BAGGAGE: 'session.id=42',
      OPENAI_API_KEY: secret,
      ANTHROPIC_API_KEY: secret,
    });
    const exec = loader.records.find(
      (r) => r.decoded.source === 'kernel' && r.decoded.event.kind === 'exec' && r.decoded.event.pid === pid,
    );
    expect(
      exec?.decoded.source === 'kernel' && exec.decoded.event.kind === 'exec' && exec.decoded.event.env,
    ).toEqual({
      TRACEPARENT: traceparent,
      TRACESTATE: 'vendor=abc',
      BAGGAGE: 'session.id=42',
    });
    const out = loader.output();
    expect(out.includes(secret)).toBe(false);
    expect(out.includes('OPENAI_API_KEY')).toBe(false);
    expect(out.includes(`PATH=${process.env.PATH}`)).toBe(false);
  });

  it('labels the direction of all four probes (SSL_write, SSL_write_ex, SSL_read, SSL_read_ex)', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const curl = await runGated(
      loader,
      'curl',
      ['-sS', '--cacert', certPath, '-d', 'x', `https://127.0.0.1:${port}/`],
      env,
    );
    const python = await runGated(
      loader,
      'python3',
      [
        '-c',
        `import ssl, urllib.request; urllib.request.urlopen(urllib.request.Request('https://127.0.0.1:${port}/', data=b'x'), context=ssl.create_default_context(cafile=${JSON.stringify(certPath)})).read()`,
      ],
      env,
    );
    // (probe, direction) of every TLS record of the two clients.
    const seen = new Map<number, Set<string>>();
    for (const { bytes, decoded } of loader.records) {
      if (decoded.source !== 'kernel' || decoded.event.kind !== 'tls_data') continue;
      if (decoded.event.pid !== curl && decoded.event.pid !== python) continue;
      const fn = bytes.readUInt8(TlsData.fn);
      const set = seen.get(fn) ?? new Set();
      set.add(decoded.event.direction);
      seen.set(fn, set);
    }
    expect(Object.fromEntries([...seen].map(([fn, dirs]) => [fn, [...dirs]]))).toEqual({
      1: ['write'], // SSL_write (curl)
      2: ['write'], // SSL_write_ex (python)
      3: ['read'], // SSL_read (curl)
      4: ['read'], // SSL_read_ex (python)
    });
  });

  it('answers `stats` with a stats record and stops cleanly on stdin EOF with final stats', async () => {
    const before = loader.records.length;
    loader.send('stats');
    const stats = await loader.waitFor(
      (r) => r.source === 'loader' && r.record.kind === 'stats',
      'stats',
      5000,
      before,
    );
    expect(
      stats.source === 'loader' && stats.record.kind === 'stats' && stats.record.records,
    ).toBeGreaterThan(0);
    const code = await loader.stop();
    expect(code).toBe(0);
    const last = loader.records[loader.records.length - 1].decoded;
    expect(last.source === 'loader' && last.record.kind).toBe('stats');
  });
});
