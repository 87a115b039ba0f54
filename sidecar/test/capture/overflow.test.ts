import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureEvent } from '../../src/capture/index.js';
import {
  captureAvailable,
  runTracked,
  startLoggedCapture,
  startTlsServer,
  type TestTlsServer,
} from './helpers.js';

type Loss = Extract<CaptureEvent, { kind: 'loss' }>;

describe.runIf(captureAvailable('overflow.test.ts'))('capture: ring buffer overflow', () => {
  let server: TestTlsServer;
  let port: number;
  let certPath: string;

  beforeAll(async () => {
    server = await startTlsServer((_req, _body, res) => res.end('ok'));
    ({ port, certPath } = server);
  });
  afterAll(() => server?.close());

  it('counts kernel drops, reports them as LossEvents and keeps capturing', async () => {
    const { capture, log } = await startLoggedCapture({ ringBufferBytes: 4096 * 4 });
    const env = { PATH: process.env.PATH };
    // 4 MiB in one request: 16 KiB chunks cannot all fit a 16 KiB ring.
    const script = `
      const https = require('node:https');
      const req = https.request('https://127.0.0.1:${port}/burst', { method: 'POST', ca: require('node:fs').readFileSync(${JSON.stringify(certPath)}) }, (res) => { res.resume(); res.on('end', () => process.exit(0)); });
      req.end(Buffer.alloc(4 << 20, 0x61));`;
    const burst = await runTracked(capture, process.execPath, ['-e', script], env);
    await burst.stdout;

    const loss = (await log.waitFor(
      (e) => e.kind === 'loss' && e.kernelDroppedRecords > 0,
      'a LossEvent with kernel drops',
      5000,
    )) as Loss;
    expect(loss.kernelDroppedBytes).toBeGreaterThan(0);

    // Still capturing after the overflow.
    const after = await runTracked(capture, '/bin/sh', ['-c', 'exit 5'], env);
    expect((await log.waitForExit(after.pid)).exitCode).toBe(5);

    const final = await capture.stop();
    expect(final.kernelDroppedRecords).toBeGreaterThanOrEqual(loss.kernelDroppedRecords);
    const last = log.events[log.events.length - 1];
    expect(last.kind).toBe('loss');
    expect((last as Loss).kernelDroppedRecords).toBe(final.kernelDroppedRecords);
  });
});
