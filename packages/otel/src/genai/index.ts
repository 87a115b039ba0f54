export { registerEsmHooks } from './esm-loader.js';
export { instrument, instrumentModules } from './instrument.js';
export { enableGenAIAutoInstrumentation } from './module-hooks.js';
export { type GenAIOptions, resolveGenAIOptions } from './options.js';
export { createUndiciInstrumentation } from './undici.js';
