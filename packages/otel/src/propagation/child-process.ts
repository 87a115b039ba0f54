import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { context } from '@opentelemetry/api';
import { reportOnce } from '../internal/diag.js';
import { ENV_CARRIER_KEYS, envCarrierFor } from './env-carrier.js';

type AnyFunction = (...args: unknown[]) => unknown;
type SyncName = 'spawnSync' | 'execSync' | 'execFileSync';

interface Installation {
  uninstall(): void;
}

/** One installation per process, shared by every copy of this package (ESM, CJS, bundled). */
const INSTALLATION = Symbol.for('agentsight.otel.child-process');
const globalSlot = globalThis as { [INSTALLATION]?: Installation };

/** Where each sync function takes its options object (Node's own argument normalisation). */
function optionsIndex(name: SyncName, args: unknown[]): number {
  if (name === 'execSync') return 1;
  const second = args[1];
  return second !== null && typeof second === 'object' && !Array.isArray(second) ? 1 : 2;
}

function isCarrierEntry(pair: string): boolean {
  return ENV_CARRIER_KEYS.some((key) => pair.startsWith(`${key}=`));
}

/** The carrier for the active context, or undefined when it carries nothing. */
function activeCarrier(): Record<string, string> | undefined {
  try {
    const carrier = envCarrierFor(context.active());
    return Object.keys(carrier).length > 0 ? carrier : undefined;
  } catch (error) {
    reportOnce('child-process:inject', 'could not build TRACEPARENT for a child process', error);
    return undefined;
  }
}

/**
 * The child's environment pairs with the carrier replacing any inherited one: an inherited
 * TRACESTATE or BAGGAGE belongs to the old parent and must not outlive its TRACEPARENT.
 */
function withCarrierPairs(envPairs: string[], carrier: Record<string, string>): string[] {
  return [
    ...envPairs.filter((pair) => !isCarrierEntry(pair)),
    ...Object.entries(carrier).map(([key, value]) => `${key}=${value}`),
  ];
}

function withCarrierEnv(env: NodeJS.ProcessEnv, carrier: Record<string, string>): NodeJS.ProcessEnv {
  const next: NodeJS.ProcessEnv = { ...env };
  for (const key of ENV_CARRIER_KEYS) delete next[key];
  return Object.assign(next, carrier);
}

/**
 * Puts TRACEPARENT, TRACESTATE and BAGGAGE of the active context into the environment of every
 * process the app starts. Async variants (spawn, exec, execFile, fork) all reach
 * ChildProcess.prototype.spawn with the already computed `envPairs`, so patching it covers them
 * even when called through references taken before init(); the sync variants have no shared
 * public choke point, so their exports are wrapped (and synced to ESM named imports).
 * The caller's options and env objects are never modified. Returns the uninstaller.
 */
export function installChildProcessPropagation(): Installation {
  const existing = globalSlot[INSTALLATION];
  if (existing) return existing;

  let enabled = true;
  const proto = childProcess.ChildProcess.prototype as unknown as { spawn: AnyFunction };
  const originalSpawn = proto.spawn;
  const patchedSpawn = function (this: unknown, options: unknown, ...rest: unknown[]) {
    const carrier = enabled ? activeCarrier() : undefined;
    const spawnOptions = options as { envPairs?: unknown } | undefined;
    if (carrier && spawnOptions && Array.isArray(spawnOptions.envPairs)) {
      const envPairs = withCarrierPairs(spawnOptions.envPairs as string[], carrier);
      return originalSpawn.call(this, { ...spawnOptions, envPairs }, ...rest);
    }
    return originalSpawn.call(this, options, ...rest);
  };
  proto.spawn = patchedSpawn;

  const exports = childProcess as unknown as Record<SyncName, AnyFunction>;
  const wrapped = new Map<SyncName, { original: AnyFunction; wrapper: AnyFunction }>();
  for (const name of ['spawnSync', 'execSync', 'execFileSync'] as const) {
    const original = exports[name];
    const wrapper = function (this: unknown, ...args: unknown[]) {
      const carrier = enabled ? activeCarrier() : undefined;
      const index = optionsIndex(name, args);
      const options = args[index];
      if (!carrier || (options !== undefined && (options === null || typeof options !== 'object'))) {
        return original.apply(this, args);
      }
      const given = (options ?? {}) as { env?: NodeJS.ProcessEnv };
      const patchedArgs = [...args];
      patchedArgs[index] = { ...given, env: withCarrierEnv(given.env ?? process.env, carrier) };
      return original.apply(this, patchedArgs);
    };
    wrapped.set(name, { original, wrapper });
    exports[name] = wrapper;
  }
  syncBuiltinESMExports();

  const installation: Installation = {
    uninstall() {
      enabled = false;
      // Restore only what is still ours; if someone wrapped on top, the disabled flag makes ours inert.
      if (proto.spawn === patchedSpawn) proto.spawn = originalSpawn;
      for (const [name, { original, wrapper }] of wrapped) {
        if (exports[name] === wrapper) exports[name] = original;
      }
      syncBuiltinESMExports();
      delete globalSlot[INSTALLATION];
    },
  };
  globalSlot[INSTALLATION] = installation;
  return installation;
}
