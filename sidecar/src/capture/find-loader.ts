import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOADER_RELATIVE_PATH = join('bpf', '.output', 'agentsight-loader');

/** Directory of this module in both the ESM (src/, dist/*.js) and CJS (dist/*.cjs) builds. */
function moduleDir(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

/**
 * Path of the built loader binary: the nearest ancestor directory holding bpf/.output/agentsight-loader
 * (the repo root, from sidecar/src/capture or sidecar/dist).
 */
export function findLoader(): string {
  let dir = moduleDir();
  for (;;) {
    const candidate = join(dir, LOADER_RELATIVE_PATH);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `agentsight capture loader not found (looked for ${LOADER_RELATIVE_PATH} above ${moduleDir()}): run \`make -C bpf\``,
  );
}
