/**
 * Preload entry: `node --import @agentsight/otel/register app.mjs` (or `--require` for CJS).
 * Hooks ESM loading of the LLM SDKs first, so the app's own imports are instrumented, then
 * starts the SDK from the environment.
 */

import { registerEsmHooks } from './genai/index.js';
import { init } from './init.js';
import { safely } from './internal/diag.js';

safely('register ESM hooks', registerEsmHooks);
init();
