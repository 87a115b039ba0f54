import { findLoader } from './find-loader.js';
import { LoaderProcess, loaderArguments } from './loader-process.js';
import { checkCapturePrivileges } from './privileges.js';
import { openRecordChannel } from './record-channel.js';
import type { CaptureHandle, CaptureOptions } from './types.js';

export * from './events.js';
export { findLoader } from './find-loader.js';
export type { CapturePrivileges } from './privileges.js';
export { checkCapturePrivileges } from './privileges.js';
export type { CaptureHandle, CaptureOptions, CaptureStats } from './types.js';

/**
 * Starts the BPF loader and resolves once every probe is attached (READY). Rejects with a
 * clear Error when privileges are missing, the loader is not built, or loading fails.
 */
export async function startCapture(options: CaptureOptions): Promise<CaptureHandle> {
  const privileges = checkCapturePrivileges();
  if (!privileges.ok) throw new Error(`capture: ${privileges.message}`);
  const loaderPath = options.loaderPath ?? findLoader();
  const args = loaderArguments(options);
  const loader = new LoaderProcess(loaderPath, args, options, await openRecordChannel());
  await loader.ready;
  return loader;
}
