/**
 * The handle of the first init(), stored on globalThis so that every copy of this package in
 * the process (ESM and CJS builds, `--import` register entry, bundled copies) sees one SDK.
 */
const HANDLE = Symbol.for('agentsight.otel.handle');
const slot = globalThis as { [HANDLE]?: unknown };

export function getGlobalHandle<T>(): T | undefined {
  return slot[HANDLE] as T | undefined;
}

export function setGlobalHandle<T>(handle: T): void {
  slot[HANDLE] = handle;
}

export function clearGlobalHandle<T>(handle: T): void {
  if (slot[HANDLE] === handle) delete slot[HANDLE];
}
