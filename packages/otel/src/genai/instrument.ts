import { reportOnce } from '../internal/diag.js';
import { type GenAIOptions, resolveGenAIOptions } from './options.js';
import { patchAnthropic, patchOpenAI } from './targets.js';

/**
 * Instruments an OpenAI or Anthropic client instance, client class or module namespace/exports, and
 * returns it unchanged. Patching is per SDK copy (resource class prototypes), so every client of that
 * copy is traced; calling it again, or after the auto-instrumentation, never double-wraps. Options,
 * when given, replace those of the existing wrappers; without them, init()'s options stay in force.
 */
export function instrument<T>(clientOrModule: T, options?: Partial<GenAIOptions>): T {
  try {
    const resolved = resolveGenAIOptions(options);
    const explicit = options !== undefined;
    const patched =
      patchOpenAI(clientOrModule, resolved, explicit) + patchAnthropic(clientOrModule, resolved, explicit);
    if (patched === 0) {
      reportOnce('genai.instrument.unknown', 'instrument(): not an OpenAI or Anthropic client or module');
    }
  } catch (error) {
    reportOnce('genai.instrument', 'instrument() failed', error);
  }
  return clientOrModule;
}

/** For bundled apps (esbuild, Next.js) where require/import hooks never see the SDK modules. */
export function instrumentModules(
  mods: { openai?: unknown; anthropic?: unknown },
  options?: Partial<GenAIOptions>,
): void {
  try {
    const resolved = resolveGenAIOptions(options);
    const explicit = options !== undefined;
    if (mods.openai) patchOpenAI(mods.openai, resolved, explicit);
    if (mods.anthropic) patchAnthropic(mods.anthropic, resolved, explicit);
  } catch (error) {
    reportOnce('genai.instrumentModules', 'instrumentModules() failed', error);
  }
}
