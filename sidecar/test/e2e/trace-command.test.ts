import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { assertBuilt, CLI_PATH, isRoot, readJsonl, SIDECAR_DIR } from './run-record.js';

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms; got:\n${text}`)),
      timeoutMs,
    );
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

describe.runIf(isRoot)('agentsight-sidecar trace --pid', () => {
  it('follows a running process and its children until SIGINT, ending it as still running', async () => {
    assertBuilt();
    // The target runs `cat` once per line it reads: activity we trigger after the capture is ready.
    const target = spawn('/bin/sh', ['-c', 'while read -r _; do cat /etc/hostname >/dev/null; done'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    await once(target, 'spawn');
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-trace-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const jsonlPath = join(dir, 'out.jsonl');
    const sidecar = spawn(
      process.execPath,
      [CLI_PATH, 'trace', '--pid', String(target.pid), '--jsonl', jsonlPath],
      {
        cwd: SIDECAR_DIR,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    try {
      await waitForOutput(sidecar, /tracing pid \d+ and descendants/, 15_000);
      target.stdin!.write('go\n');
      const summary = waitForOutput(sidecar, /traced \d+ processes/, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      sidecar.kill('SIGINT');
      const [status] = await once(sidecar, 'exit');
      await summary;
      expect(status).toBe(0);
    } finally {
      target.kill();
      sidecar.kill('SIGKILL');
    }
    const spans = readJsonl(jsonlPath).filter((l) => l.type === 'span');
    const shell = spans.find((s) => s.attributes['process.pid'] === target.pid);
    expect(shell).toMatchObject({ name: 'process sh', correlation: 'none' });
    expect(shell?.attributes['agentsight.process.running']).toBe(true);
    expect(shell?.attributes['process.command_args']).toEqual([
      '/bin/sh',
      '-c',
      'while read -r _; do cat /etc/hostname >/dev/null; done',
    ]);
    const cat = spans.find((s) => s.name === 'process cat');
    expect(cat).toMatchObject({
      traceId: shell?.traceId,
      parentSpanId: shell?.spanId,
      correlation: 'inferred',
    });
    expect(cat?.attributes['process.exit.code']).toBe(0);
  });

  it('refuses a pid that does not exist, with status 2', async () => {
    assertBuilt();
    const sidecar = spawn(process.execPath, [CLI_PATH, 'trace', '--pid', '4194000'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const stderr = waitForOutput(sidecar, /no such process: 4194000/, 10_000);
    const [status] = await once(sidecar, 'exit');
    await stderr;
    expect(status).toBe(2);
  });
});
