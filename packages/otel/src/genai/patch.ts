import type { GenAIOptions } from './options.js';

/**
 * Marks wrapped SDK methods. A registered symbol, so the ESM and CJS builds of this package (both can
 * be loaded in one process) recognize each other's wrappers and never wrap twice.
 */
const WRAPPED = Symbol.for('agentsight.genai.wrapped');

/** Shared by a wrapper and whoever patches the same method again: the latest options win. */
export interface WrapperState {
  options: GenAIOptions;
}

interface Patch {
  target: Record<PropertyKey, unknown>;
  method: string;
  original: unknown;
  hadOwn: boolean;
}

const applied: Patch[] = [];

export type WrapperFactory = (
  original: (...args: any[]) => any,
  state: WrapperState,
) => (...args: any[]) => any;

/** Whether `fn` is one of our wrappers (from this or another copy of the package). */
export function isWrapped(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as any)[WRAPPED] !== undefined;
}

/**
 * Wraps `target[method]` once. Patching an already wrapped method only replaces its options, and only
 * when `replaceOptions` is set: an `instrument(client)` without options keeps what init() configured.
 */
export function patchMethod(
  target: any,
  method: string,
  factory: WrapperFactory,
  options: GenAIOptions,
  replaceOptions: boolean,
): boolean {
  const current = target?.[method];
  if (typeof current !== 'function') return false;
  const existing: WrapperState | undefined = current[WRAPPED];
  if (existing) {
    if (replaceOptions) existing.options = options;
    return true;
  }
  const state: WrapperState = { options };
  const wrapper = factory(current, state);
  Object.defineProperty(wrapper, WRAPPED, { value: state });
  Object.defineProperty(wrapper, 'name', { value: current.name });
  Object.defineProperty(wrapper, 'length', { value: current.length });
  applied.push({ target, method, original: current, hadOwn: Object.hasOwn(target, method) });
  target[method] = wrapper;
  return true;
}

/** Restores every method this copy of the package wrapped. */
export function unpatchAll(): void {
  for (const patch of applied.splice(0).reverse()) {
    if (patch.hadOwn) patch.target[patch.method] = patch.original;
    else delete patch.target[patch.method];
  }
}
