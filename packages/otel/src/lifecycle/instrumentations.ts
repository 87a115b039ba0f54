import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { ResolvedConfig } from '../config/resolve.js';
import {
  createUndiciInstrumentation,
  enableGenAIAutoInstrumentation,
  resolveGenAIOptions,
} from '../genai/index.js';
import { safely } from '../internal/diag.js';
import { installChildProcessPropagation } from '../propagation/child-process.js';

/**
 * Turns on what init() instruments: the LLM SDKs, fetch/undici (client spans, trace headers)
 * and child-process context propagation. They all use the global OTel API at call time, so they
 * work with our provider or with one some other SDK registered. Returns the uninstaller.
 */
export function installInstrumentations(config: ResolvedConfig): () => void {
  const toggles = config.instrumentations;
  const genaiOptions = resolveGenAIOptions(config.genai);
  const uninstallers: (() => void)[] = [];

  if (toggles.genai) {
    const genai = safely('enable GenAI instrumentation', () => enableGenAIAutoInstrumentation(genaiOptions));
    if (genai) uninstallers.push(() => genai.disable());
  }
  if (toggles.undici) {
    const unregister = safely('enable undici instrumentation', () =>
      registerInstrumentations({ instrumentations: [createUndiciInstrumentation(genaiOptions)] }),
    );
    if (unregister) uninstallers.push(unregister);
  }
  if (toggles.childProcess) {
    const childProcess = safely('enable child-process propagation', installChildProcessPropagation);
    if (childProcess) uninstallers.push(() => childProcess.uninstall());
  }

  return () => {
    for (const uninstall of uninstallers.reverse()) safely('uninstall instrumentation', uninstall);
  };
}
