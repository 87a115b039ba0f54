import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureAvailable, runTracked, startLoggedCapture } from './helpers.js';

/** The state letter of /proc/<pid>/stat (R, S, T, ...). */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat[stat.lastIndexOf(')') + 2];
}

function loaderPidOf(parent: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'agentsight-load' && ppid === parent) return Number(entry);
    } catch {
      // raced with an exit
    }
  }
  throw new Error('no agentsight-loader child found');
}

describe.runIf(captureAvailable('loader-death.test.ts'))('capture: the loader dies', () => {
  it('resumes traced processes left stopped (as by an attach pause) and reports the exit', async () => {
    const { capture, log, logs } = await startLoggedCapture({ tls: false });
    const { pid, child } = await runTracked(capture, 'sleep', ['30']);
    try {
      await log.waitFor((e) => e.kind === 'exec' && e.pid === pid, 'exec of sleep');
      // What the kernel does to a process exec'ing a file the loader has not checked yet.
      process.kill(pid, 'SIGSTOP');
      await expect.poll(() => procState(pid)).toBe('T');

      process.kill(loaderPidOf(process.pid), 'SIGKILL');
      expect(await capture.exited).toBe(137);
      expect(procState(pid)).not.toBe('T');
      expect(logs).toContain('loader died: resumed 1 stopped traced process(es)');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
