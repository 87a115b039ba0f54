import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { assertBuilt, CLI_PATH, isRoot, readJsonl, SIDECAR_DIR } from './run-record.js';

function cli(args: string[], options: { withoutCapabilities?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  assertBuilt();
  // Same uid (so the clone stays readable wherever it lives, e.g. a 0700 temp dir), no capabilities.
  const command = options.withoutCapabilities
    ? ['setpriv', '--inh-caps=-all', '--bounding-set=-all', process.execPath, CLI_PATH]
    : [process.execPath, CLI_PATH];
  const run = spawnSync(command[0], [...command.slice(1), ...args], {
    cwd: SIDECAR_DIR,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('agentsight-sidecar command line', () => {
  it('prints its usage with --help and rejects bad command lines with status 2', () => {
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('agentsight-sidecar record [options] -- COMMAND [ARGS...]');
    const bad = cli(['record']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('record needs a command');
  });

  it('says exactly which privileges are missing and exits 2 without them', () => {
    // As root, drop every capability; otherwise this process already lacks them.
    const run = cli(['record', '--', 'true'], { withoutCapabilities: isRoot });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/missing CAP_BPF, CAP_PERFMON/);
  });

  it.runIf(isRoot)(
    'records a shell pipeline and exits with its status, killed commands as 128+signal',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'sidecar-cli-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      const jsonlPath = join(dir, 'out.jsonl');
      const run = cli([
        'record',
        '--quiet',
        '--jsonl',
        jsonlPath,
        '--',
        '/bin/sh',
        '-c',
        'cat /etc/hostname >/dev/null; exit 7',
      ]);
      expect(run.status, run.stderr).toBe(7);
      expect(run.stderr).toBe('');
      const lines = readJsonl(jsonlPath);
      const spans = lines.filter((l) => l.type === 'span');
      const sh = spans.find((s) => s.name === 'process sh');
      const cat = spans.find((s) => s.name === 'process cat');
      expect(sh?.attributes['process.exit.code']).toBe(7);
      expect(cat).toMatchObject({ traceId: sh?.traceId, parentSpanId: sh?.spanId, correlation: 'inferred' });
      expect(
        cat?.events.some((e: any) => e.name === 'file.open' && e.attributes['file.path'] === '/etc/hostname'),
      ).toBe(true);

      const killed = cli(['record', '--quiet', '--', '/bin/sh', '-c', 'kill -TERM $$']);
      expect(killed.status).toBe(128 + 15);
    },
  );
});
