import { createRequire } from 'node:module';
import path from 'node:path';
import { Hook as ImportHook } from 'import-in-the-middle';
import { Hook as RequireHook } from 'require-in-the-middle';
import { reportOnce, safely } from '../internal/diag.js';
import type { GenAIOptions } from './options.js';
import { unpatchAll } from './patch.js';
import { patchAnthropic, patchOpenAI } from './targets.js';

/** The SDK packages whose module loads are hooked. Only their entry points: resources hang off the client class. */
export const LLM_SDK_MODULES = ['openai', '@anthropic-ai/sdk'] as const;

function patchModule(name: string, exported: unknown, options: GenAIOptions): void {
  safely(`genai.patch.${name}`, () => {
    if (name === 'openai') patchOpenAI(exported, options, true);
    else patchAnthropic(exported, options, true);
  });
}

/** SDKs required before the hooks existed (CJS cache) are patched in place. */
function patchAlreadyLoaded(options: GenAIOptions): void {
  const requireFromApp = createRequire(path.join(process.cwd(), 'noop.js'));
  for (const name of LLM_SDK_MODULES) {
    try {
      const resolved = requireFromApp.resolve(name);
      const cached = requireFromApp.cache[resolved];
      if (cached) patchModule(name, cached.exports, options);
    } catch {
      // Not installed for this app: nothing to patch.
    }
  }
}

let active: { disable(): void } | undefined;
// Read at load time, so a repeated enable() also applies to SDKs loaded after it.
let activeOptions: GenAIOptions;

/**
 * Hooks `require` and `import` of the LLM SDKs so each loaded copy has its resource methods wrapped
 * (exports themselves are never replaced). Idempotent: a second call updates the options of the
 * existing wrappers and returns the same handle. `disable()` unhooks and restores every wrapped method.
 */
export function enableGenAIAutoInstrumentation(options: GenAIOptions): { disable(): void } {
  activeOptions = options;
  if (active) {
    patchAlreadyLoaded(options);
    return active;
  }
  const onLoad = <T>(exported: T, name: string): T => {
    patchModule(name, exported, activeOptions);
    return exported;
  };
  const requireHook = new RequireHook([...LLM_SDK_MODULES], { internals: false }, onLoad);
  let importHook: { unhook(): void } | undefined;
  try {
    importHook = new ImportHook([...LLM_SDK_MODULES], { internals: false }, (exported, name) => {
      onLoad(exported, name);
    });
  } catch (error) {
    reportOnce('genai.import-hook', 'ESM hook unavailable; use instrument() for ESM-loaded SDKs', error);
  }
  patchAlreadyLoaded(options);
  const handle = {
    disable() {
      if (active !== handle) return;
      active = undefined;
      requireHook.unhook();
      importHook?.unhook();
      unpatchAll();
    },
  };
  active = handle;
  return handle;
}
