import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIDECAR_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_PATH = join(SIDECAR_DIR, 'dist', 'cli.js');

export const isRoot = process.getuid?.() === 0;

/** The e2e tests drive the built CLI: a missing build is a failure, not a reason to skip. */
export function assertBuilt(): void {
  try {
    accessSync(CLI_PATH, constants.R_OK);
  } catch {
    throw new Error(`${CLI_PATH} is missing: run \`pnpm --filter @agentsight/sidecar build\` first`);
  }
}

export interface RecordRun {
  status: number | null;
  stderr: string;
}

/** Runs `agentsight-sidecar record ARGS` and collects its stderr (stdout is the command's). */
export function runRecord(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RecordRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, 'record', ...args], {
      cwd: SIDECAR_DIR,
      env,
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sidecar record did not finish within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

export function readJsonl(path: string): Array<Record<string, any>> {
  return readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}
