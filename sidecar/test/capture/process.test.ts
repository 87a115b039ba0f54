import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureEvent, CaptureHandle } from '../../src/capture/index.js';
import { captureAvailable, type EventLog, runTracked, startLoggedCapture, tempDir } from './helpers.js';

/** The first file event of `op` on `path`, waiting for it to come through. */
async function fileEvent(
  log: EventLog,
  op: string,
  path: string,
): Promise<Extract<CaptureEvent, { kind: 'file' }>> {
  return (await log.waitFor(
    (e) => e.kind === 'file' && e.op === op && e.path === path,
    `${op} ${path}`,
  )) as Extract<CaptureEvent, { kind: 'file' }>;
}

describe.runIf(captureAvailable('process.test.ts'))('capture: process, file and network events', () => {
  let capture: CaptureHandle;
  let log: EventLog;

  beforeAll(async () => {
    ({ capture, log } = await startLoggedCapture({ tls: false }));
  });
  afterAll(async () => {
    await capture?.stop();
  });

  it('reports exec with argv and the exit code of a gated, tracked command', async () => {
    const { pid } = await runTracked(capture, '/bin/sh', ['-c', 'echo hi; exit 3']);
    const exit = await log.waitForExit(pid);
    expect(exit.exitCode).toBe(3);
    expect(exit.signal).toBeNull();

    const exec = log
      .of('exec', pid)
      .find((e) => e.filename === '/bin/sh' && e.argv.includes('echo hi; exit 3'));
    expect(exec).toBeDefined();
    expect(exec?.argv).toEqual(['/bin/sh', '-c', 'echo hi; exit 3']);
    expect(exec?.argvTruncated).toBe(false);
    expect(exec?.comm).toBe('sh');
    // Epoch nanoseconds, close to now.
    expect(Number((exec?.tsNs ?? 0n) / 1_000_000n)).toBeGreaterThan(Date.now() - 60_000);
    expect(Number((exec?.tsNs ?? 0n) / 1_000_000n)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('reports forks of a tracked process and follows the children', async () => {
    const { pid } = await runTracked(capture, '/bin/sh', ['-c', '/bin/true; /bin/true; exit 0']);
    await log.waitForExit(pid);
    const forks = log.of('fork', pid);
    expect(forks.length).toBeGreaterThanOrEqual(2);
    for (const fork of forks) {
      const childExec = await log.waitFor(
        (e) => e.kind === 'exec' && e.pid === fork.childPid && e.filename === '/bin/true',
        `exec of child ${fork.childPid}`,
      );
      expect(childExec.kind === 'exec' && childExec.ppid).toBe(pid);
      const childExit = await log.waitForExit(fork.childPid);
      expect(childExit.exitCode).toBe(0);
    }
  });

  it('reports open, mkdir, rename and unlink with paths and results', async () => {
    const dir = tempDir('agentsight-files-');
    mkdirSync(join(dir, 'exists'));
    const script = [
      `mkdir ${dir}/a`,
      `: > ${dir}/a/f`,
      `mv ${dir}/a/f ${dir}/a/g`,
      `rm ${dir}/a/g`,
      `mkdir ${dir}/exists 2>/dev/null`,
      'exit 0',
    ].join('; ');
    const { pid } = await runTracked(capture, '/bin/sh', ['-c', script]);
    await log.waitForExit(pid);
    // The last command's exit happens after the shell's: fileEvent waits for children's events.
    const files = (op: string, path: string) => fileEvent(log, op, path);

    expect((await files('mkdir', `${dir}/a`)).result).toBe(0);
    const open = await files('open', `${dir}/a/f`);
    expect(open.result).toBeGreaterThanOrEqual(0);
    expect((open.flags ?? 0) & 0o100).toBe(0o100); // O_CREAT
    const rename = await files('rename', `${dir}/a/f`);
    expect(rename.newPath).toBe(`${dir}/a/g`);
    expect(rename.result).toBe(0);
    expect((await files('unlink', `${dir}/a/g`)).result).toBe(0);
    expect((await files('mkdir', `${dir}/exists`)).result).toBe(-17); // EEXIST
  });

  it('makes relative paths absolute, against the cwd or the directory fd the process used', async () => {
    const dir = tempDir('agentsight-relative-');
    // The shell's children run in `dir`; python opens through a directory fd (openat(dfd, ...)).
    const script = [
      `cd ${dir}`,
      'mkdir rel',
      ': > ./rel/f',
      'mv rel/f rel/g',
      `python3 -c "import os; d = os.open('rel', os.O_RDONLY); os.close(os.open('h', os.O_CREAT | os.O_WRONLY, dir_fd=d))"`,
      'exit 0',
    ].join(' && ');
    const { pid } = await runTracked(capture, '/bin/sh', ['-c', script]);
    await log.waitForExit(pid);
    const file = (op: string, path: string) => fileEvent(log, op, path);

    expect((await file('mkdir', `${dir}/rel`)).pathResolved).toBe(true);
    expect((await file('open', `${dir}/rel/f`)).pathResolved).toBe(true);
    const rename = await file('rename', `${dir}/rel/f`);
    expect(rename.newPath).toBe(`${dir}/rel/g`);
    const viaDirFd = await file('open', `${dir}/rel/h`);
    expect(viaDirFd.pathResolved).toBe(true);
    expect(viaDirFd.result).toBeGreaterThanOrEqual(0);
    // Absolute paths are reported as passed, not marked.
    expect(log.of('file').some((e) => e.path === '/etc/ld.so.cache' && e.pathResolved)).toBe(false);
  });

  it('reports connect to 127.0.0.1 and ::1 with ports and results', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '::', resolve));
    const { port } = server.address() as AddressInfo;
    const script = `
      const net = require('node:net');
      const go = (host) => new Promise((res, rej) => net.connect(${port}, host, function () { this.destroy(); res(); }).on('error', rej));
      go('127.0.0.1').then(() => go('::1')).then(() => process.exit(0));`;
    try {
      const { pid, stdout } = await runTracked(capture, process.execPath, ['-e', script]);
      await stdout;
      await log.waitForExit(pid);
      const connects = log.of('connect', pid).filter((c) => c.port === port);
      const v4 = connects.find((c) => c.family === 'ipv4');
      const v6 = connects.find((c) => c.family === 'ipv6');
      expect(v4?.address).toBe('127.0.0.1');
      expect(v6?.address).toBe('::1');
      // Node connects non-blocking: 0 or -EINPROGRESS.
      expect([0, -115]).toContain(v4?.result);
      expect([0, -115]).toContain(v6?.result);
    } finally {
      server.close();
    }
  });

  it('ignores untracked processes', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('/bin/sh', ['-c', 'exit 7']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(r.pid).toBeGreaterThan(0);
    expect(log.events.some((e) => 'pid' in e && e.pid === r.pid)).toBe(false);
  });
});
