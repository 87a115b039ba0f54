import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { reportOnce } from '../internal/diag.js';
import { LLM_SDK_MODULES } from './module-hooks.js';

let registered = false;

/** The URL module resolution starts from: this file in the ESM build, `__filename` in the CJS build. */
function selfUrl(): string {
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
}

/**
 * Registers import-in-the-middle's loader for the LLM SDK entry points only. Wrapping every module is
 * what breaks `openai` v4's shims ("getDefaultAgent is not a function"); with `include` the loader
 * leaves all other modules, including the SDKs' own internals, untouched.
 */
export function registerEsmHooks(): void {
  if (registered) return;
  registered = true;
  try {
    register('import-in-the-middle/hook.mjs', selfUrl(), { data: { include: [...LLM_SDK_MODULES] } });
  } catch (error) {
    reportOnce('genai.esm-loader', 'could not register the ESM loader hook', error);
  }
}
