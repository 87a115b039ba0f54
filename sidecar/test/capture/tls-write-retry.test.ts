import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { getServerCertificate } from '@agentsight/mock-llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureHandle } from '../../src/capture/index.js';
import { captureAvailable, type EventLog, reassemble, runTracked, startLoggedCapture } from './helpers.js';

const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok';
const REQUESTS = 3;

/**
 * On a fresh connection Node calls SSL_write before the handshake is done; OpenSSL returns -1
 * (WANT_READ) and Node retries the same buffer later. Only the successful call may be captured,
 * otherwise the request shows up several times at growing offsets.
 */
describe.runIf(captureAvailable('tls-write-retry.test.ts'))('capture: SSL_write retries', () => {
  let capture: CaptureHandle;
  let log: EventLog;
  let server: Server;
  let port: number;
  let certPath: string;
  /** Raw plaintext each accepted connection received, in order. */
  const received: Buffer[][] = [];

  beforeAll(async () => {
    const tls = await getServerCertificate();
    certPath = tls.certPath;
    // A raw TLS server, so the test sees exactly the bytes the client's SSL_write calls delivered.
    server = createServer({ cert: tls.cert, key: tls.key }, (socket: TLSSocket) => {
      const chunks: Buffer[] = [];
      received.push(chunks);
      let pending = '';
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        pending += d.toString('latin1');
        // Bodyless GETs: every blank line ends one request.
        for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
          pending = pending.slice(end + 4);
          socket.write(RESPONSE);
        }
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    ({ capture, log } = await startLoggedCapture());
  });

  afterAll(async () => {
    server?.close();
    await capture?.stop();
  });

  it('captures each keep-alive request once: the write stream equals what the server received', async () => {
    const script = `
      const https = require('node:https');
      const ca = require('node:fs').readFileSync(${JSON.stringify(certPath)});
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
      const get = (i) => new Promise((resolve, reject) => {
        https.get('https://127.0.0.1:${port}/keep-alive-' + i, { agent }, (res) => {
          res.resume(); res.on('end', resolve);
        }).on('error', reject);
      });
      (async () => { for (let i = 0; i < ${REQUESTS}; i++) await get(i); agent.destroy(); })()
        .then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
    const { pid, stdout } = await runTracked(capture, process.execPath, ['-e', script]);
    await stdout;
    await log.waitForExit(pid);

    expect(received).toHaveLength(1);
    const serverGot = Buffer.concat(received[0]).toString('latin1');
    expect(serverGot.match(/^GET \/keep-alive-\d+ HTTP\/1\.1\r\n/gm)).toHaveLength(REQUESTS);

    const conns = [...new Set(log.of('tls_data', pid).map((e) => e.connId))];
    expect(conns).toHaveLength(1);
    expect(reassemble(log.events, conns[0], 'write').toString('latin1')).toBe(serverGot);
    expect(reassemble(log.events, conns[0], 'read').toString('latin1')).toBe(RESPONSE.repeat(REQUESTS));
  });
});
