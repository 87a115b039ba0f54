// TEMPORARY until src/genai/index.ts lands — delete.
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
export interface GenAIOptions { captureContent: boolean; injectTraceHeaders: boolean; llmHosts: (string | RegExp)[] }
export function resolveGenAIOptions(p: Partial<GenAIOptions> = {}): GenAIOptions {
  return { captureContent: p.captureContent ?? false, injectTraceHeaders: p.injectTraceHeaders ?? true, llmHosts: p.llmHosts ?? [] };
}
export function enableGenAIAutoInstrumentation(_o: GenAIOptions) { return { disable() {} }; }
export function createUndiciInstrumentation(_o: GenAIOptions) { return new UndiciInstrumentation(); }
export function registerEsmHooks(): void {}
export function instrument<T>(c: T): T { return c; }
export function instrumentModules(_m: unknown): void {}
