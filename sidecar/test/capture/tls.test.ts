import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureEvent, CaptureHandle } from '../../src/capture/index.js';
import {
  captureAvailable,
  type EventLog,
  reassemble,
  runTracked,
  startLoggedCapture,
  startTlsServer,
  type TestTlsServer,
  tempDir,
} from './helpers.js';

type TlsData = Extract<CaptureEvent, { kind: 'tls_data' }>;

/**
 * The connection's handshake was timed: one completed handshake, ending before the response.
 * SSL_do_handshake for libssl users; for node, the state machine SSL_read/SSL_write drive.
 */
function expectTimedHandshake(log: EventLog, pid: number, conn: string): void {
  const handshakes = log.of('tls_handshake', pid).filter((e) => e.connId === conn);
  expect(handshakes.map((e) => e.result)).toEqual(['done']);
  const [hs] = handshakes;
  const data = log.of('tls_data', pid).filter((e) => e.connId === conn);
  expect(hs.endNs).toBeGreaterThan(hs.tsNs);
  // Writes are stamped at SSL_write entry, and node's first SSL_write finishes the handshake
  // inside it; the first response byte (stamped on return) must come after it.
  expect(hs.tsNs).toBeLessThan(data[0].tsNs);
  expect(hs.endNs).toBeLessThanOrEqual(data.find((e) => e.direction === 'read')!.tsNs);
  expect(Number(hs.endNs - hs.tsNs)).toBeLessThan(5e9);
}

/** connIds of a process, in order of first appearance. */
function connections(log: EventLog, pid: number): string[] {
  return [...new Set(log.of('tls_data', pid).map((e) => e.connId))];
}

describe.runIf(captureAvailable('tls.test.ts'))('capture: TLS plaintext', () => {
  let capture: CaptureHandle;
  let log: EventLog;
  let server: TestTlsServer;
  let port: number;
  let dir: string;
  let certPath: string;

  beforeAll(async () => {
    dir = tempDir('agentsight-tls-');
    // Echo server: the response body says which request it answers and how many bytes it got.
    server = await startTlsServer((req, body, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`response to ${req.url} (${body.length} bytes) ${body.subarray(0, 32).toString('latin1')}`);
    });
    server.server.keepAliveTimeout = 2000;
    ({ port, certPath } = server);
    ({ capture, log } = await startLoggedCapture());
  });

  afterAll(async () => {
    server?.close();
    await capture?.stop();
  });

  it('captures curl (libssl.so.3 via SSL_write/SSL_read): request and response byte-exact', async () => {
    const { pid, stdout } = await runTracked(capture, 'curl', [
      '-sS',
      '--cacert',
      certPath,
      '-H',
      'x-test: curl',
      '-d',
      'hello from curl',
      `https://127.0.0.1:${port}/curl`,
    ]);
    expect(await stdout).toContain('response to /curl (15 bytes)');
    await log.waitForExit(pid);
    expect(capture.stats().attached.some((p) => p.includes('libssl.so'))).toBe(true);

    const [conn] = connections(log, pid);
    expect(conn).toMatch(new RegExp(`^${pid}:\\d+:[0-9a-f]+$`));
    const request = reassemble(log.events, conn, 'write').toString('latin1');
    expect(request.startsWith('POST /curl HTTP/1.1\r\n')).toBe(true);
    expect(request).toContain('\r\nx-test: curl\r\n');
    expect(request.endsWith('\r\n\r\nhello from curl')).toBe(true);
    const response = reassemble(log.events, conn, 'read').toString('latin1');
    expect(response.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(response).toContain('response to /curl (15 bytes) hello from curl');
    expect(log.of('tls_close', pid).some((e) => e.connId === conn)).toBe(true);
    expectTimedHandshake(log, pid, conn);
  });

  it('reports a handshake that fails (curl rejects the certificate) with no data on it', async () => {
    const { pid, stdout } = await runTracked(capture, 'curl', ['-sS', `https://127.0.0.1:${port}/untrusted`]);
    await expect(stdout).rejects.toThrow(/curl exited 60/); // CURLE_PEER_FAILED_VERIFICATION
    await log.waitForExit(pid);
    const handshakes = log.of('tls_handshake', pid);
    expect(handshakes).toHaveLength(1);
    expect(['failed', 'incomplete']).toContain(handshakes[0].result);
    expect(log.of('tls_data', pid)).toHaveLength(0);
  });

  it('captures python3 (dlopen of libssl at import ssl, SSL_write_ex/SSL_read_ex) with direction labels', async () => {
    const script = [
      'import ssl, urllib.request, sys',
      `ctx = ssl.create_default_context(cafile=${JSON.stringify(certPath)})`,
      `req = urllib.request.Request('https://127.0.0.1:${port}/python', data=b'hello from python', method='POST')`,
      'print(urllib.request.urlopen(req, context=ctx).read().decode())',
    ].join('\n');
    const { pid, stdout } = await runTracked(capture, 'python3', ['-c', script]);
    expect(await stdout).toContain('response to /python (17 bytes)');
    await log.waitForExit(pid);

    const [conn] = connections(log, pid);
    const events = log.of('tls_data', pid).filter((e) => e.connId === conn);
    const request = reassemble(log.events, conn, 'write').toString('latin1');
    expect(request.startsWith('POST /python HTTP/1.1\r\n')).toBe(true);
    expect(request.endsWith('hello from python')).toBe(true);
    const response = reassemble(log.events, conn, 'read').toString('latin1');
    expect(response).toContain('response to /python (17 bytes) hello from python');
    expectTimedHandshake(log, pid, conn);
    // Every event is labelled by its probe's direction: writes never carry the response.
    expect(events.filter((e) => e.direction === 'write').some((e) => e.data.includes('HTTP/1.1 200'))).toBe(
      false,
    );
    expect(events.filter((e) => e.direction === 'read').some((e) => e.data.includes('POST /python'))).toBe(
      false,
    );
  });

  it('delivers a small exchange promptly while its process keeps running (batched ring wakeups)', async () => {
    // The kernel defers wakeups for small TLS records; the loader's poll timeout (10 ms) must
    // still deliver them well before the 1 s stats tick or the process's exit would.
    const script = [
      'import ssl, urllib.request, sys',
      `ctx = ssl.create_default_context(cafile=${JSON.stringify(certPath)})`,
      `req = urllib.request.Request('https://127.0.0.1:${port}/idle', data=b'small', method='POST')`,
      'print(urllib.request.urlopen(req, context=ctx).read().decode(), flush=True)',
      'sys.stdin.readline()',
    ].join('\n');
    const { pid, child, stdout } = await runTracked(capture, 'python3', ['-c', script]);
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('response to /idle')) resolve();
      });
    });
    const started = Date.now();
    await log.waitFor(
      (e) =>
        e.kind === 'tls_data' && e.pid === pid && e.data.toString('latin1').includes('response to /idle'),
      'the response read while the process still runs',
      400,
    );
    expect(Date.now() - started).toBeLessThan(400);
    expect(log.of('exit', pid)).toHaveLength(0);
    child.stdin.end('\n');
    await stdout;
    await log.waitForExit(pid);
  });

  it('captures a node child (static OpenSSL in the executable)', async () => {
    const script = `
      const https = require('node:https');
      const req = https.request('https://127.0.0.1:${port}/node', { method: 'POST', ca: require('node:fs').readFileSync(${JSON.stringify(certPath)}) }, (res) => {
        let body = ''; res.on('data', (d) => body += d); res.on('end', () => { console.log(body); process.exit(0); });
      });
      req.end('hello from node');`;
    const { pid, stdout } = await runTracked(capture, process.execPath, ['-e', script]);
    expect(await stdout).toContain('response to /node (15 bytes)');
    await log.waitForExit(pid);
    expect(capture.stats().attached).toContain(process.execPath);

    const [conn] = connections(log, pid);
    const request = reassemble(log.events, conn, 'write').toString('latin1');
    expect(request.startsWith('POST /node HTTP/1.1\r\n')).toBe(true);
    expect(request.endsWith('hello from node')).toBe(true);
    expect(reassemble(log.events, conn, 'read').toString('latin1')).toContain('response to /node (15 bytes)');
    expectTimedHandshake(log, pid, conn);
  });

  it('delivers a 2 MiB request body whole and in order (contiguous offsets, identical bytes)', async () => {
    const body = randomBytes(2 << 20);
    const bodyPath = join(dir, 'body.bin');
    writeFileSync(bodyPath, body);
    const { pid, stdout } = await runTracked(capture, 'curl', [
      '-sS',
      '--cacert',
      certPath,
      '-H',
      'Expect:',
      '-H',
      'content-type: application/octet-stream',
      '--data-binary',
      `@${bodyPath}`,
      `https://127.0.0.1:${port}/big`,
    ]);
    expect(await stdout).toContain(`(${body.length} bytes)`);
    await log.waitForExit(pid);

    const [conn] = connections(log, pid);
    const writes = log
      .of('tls_data', pid)
      .filter((e): e is TlsData => e.connId === conn && e.direction === 'write');
    expect(writes.every((e) => !e.truncated)).toBe(true);
    const stream = reassemble(log.events, conn, 'write');
    const headerEnd = stream.indexOf('\r\n\r\n') + 4;
    expect(stream.length - headerEnd).toBe(body.length);
    expect(stream.subarray(headerEnd).equals(body)).toBe(true);
  });

  it('keeps 50 concurrent keep-alive connections of one process apart by connId', async () => {
    const script = `
      const https = require('node:https');
      const ca = require('node:fs').readFileSync(${JSON.stringify(certPath)});
      const agent = new https.Agent({ keepAlive: true, maxSockets: 50, ca });
      const one = (i) => new Promise((resolve, reject) => {
        const req = https.request('https://127.0.0.1:${port}/c' + i, { method: 'POST', agent }, (res) => {
          let body = ''; res.on('data', (d) => body += d); res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end('request-' + i);
      });
      Promise.all(Array.from({ length: 50 }, (_, i) => one(i))).then((bodies) => {
        console.log(bodies.filter((b, i) => b.includes('/c' + i + ' ')).length); agent.destroy(); process.exit(0);
      });`;
    const { pid, stdout } = await runTracked(capture, process.execPath, ['-e', script]);
    expect((await stdout).trim()).toBe('50');
    await log.waitForExit(pid);

    const conns = connections(log, pid);
    expect(conns).toHaveLength(50);
    const seen = new Set<number>();
    for (const conn of conns) {
      const request = reassemble(log.events, conn, 'write').toString('latin1');
      const match = /^POST \/c(\d+) HTTP\/1\.1\r\n[\s\S]*\r\n\r\nrequest-(\d+)$/.exec(request);
      expect(match, request.slice(0, 200)).not.toBeNull();
      const i = Number(match?.[1]);
      expect(Number(match?.[2])).toBe(i);
      expect(reassemble(log.events, conn, 'read').toString('latin1')).toContain(`response to /c${i} (`);
      seen.add(i);
    }
    expect(seen.size).toBe(50);
  });
});
