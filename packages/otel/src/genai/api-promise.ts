import { reportOnce, safely } from '../internal/diag.js';
import type { GenAICall } from './call.js';
import { isSdkStream, observeStream } from './stream.js';

/**
 * The SDKs' lazy `APIPromise` (openai v4+, @anthropic-ai/sdk 0.x/1.x): the request runs at once and its
 * `responsePromise` settles with the response; the body is parsed only when someone awaits, through
 * `parseResponse`. Helpers such as `parse()` derive a new promise with `_thenUnwrap`; most releases route
 * its parse through the original's `parseResponse`, but openai v7 gives each promise its own
 * `_thenUnwrap` that calls the original parse function directly, so derived promises are observed too.
 */
interface ApiPromiseLike {
  responsePromise: Promise<{ response?: { status?: number } }>;
  parseResponse: (...args: unknown[]) => unknown;
  asResponse?: () => Promise<unknown>;
  parsedPromise?: Promise<unknown>;
  _thenUnwrap?: (...args: unknown[]) => unknown;
}

const PATCHED = Symbol.for('agentsight.genai.asResponse');
const callsByResponse = new WeakMap<object, GenAICall>();

/**
 * An APIPromise dropped before anyone parsed its body ends its span at response time. Only promises still
 * unparsed once their response is in are registered: a registered promise survives V8's young-generation
 * collections, and registering every call tripled the time spent in GC in bench:sdk.
 */
const unparsed = new FinalizationRegistry<GenAICall>((call) => {
  if (!call.parseStarted) call.endAtResponse();
});

/**
 * Called when the response of `promise` arrived. A caller awaiting it has already asked for the parse
 * (`parsedPromise`, set by every SDK release's `parse()`), which runs right after this reaction.
 */
function watchIfUnparsed(promise: ApiPromiseLike, call: GenAICall): void {
  if (call.parseStarted || call.ended || promise.parsedPromise) return;
  unparsed.register(promise, call, call);
}

function isApiPromise(value: unknown): value is ApiPromiseLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as any).parseResponse === 'function' &&
    typeof (value as any).responsePromise?.then === 'function'
  );
}

export function observeResult(result: unknown, call: GenAICall): void {
  if (isApiPromise(result)) {
    observeApiPromise(result, call);
    return;
  }
  // An SDK release without the lazy APIPromise: observe it as a plain promise.
  reportOnce('genai.result-shape', 'unrecognized LLM SDK result; recording it as a plain promise');
  Promise.resolve(result).then(
    (data) => onData(data, call),
    (error) => {
      call.failed(error);
      call.end();
    },
  );
}

function observeApiPromise(promise: ApiPromiseLike, call: GenAICall): void {
  callsByResponse.set(promise.responsePromise, call);
  try {
    patchAsResponse(Object.getPrototypeOf(promise));
  } catch (error) {
    reportOnce('genai.asResponse', 'genai.asResponse failed', error);
  }
  promise.responsePromise.then(
    (props) => {
      call.responded(props?.response?.status);
      watchIfUnparsed(promise, call);
    },
    (error) => {
      call.failed(error);
      call.end();
    },
  );
  observeParse(promise, call);
}

/** Ends the call with the parsed body of `promise` or of any promise derived from it. */
function observeParse(promise: ApiPromiseLike, call: GenAICall): void {
  const parseResponse = promise.parseResponse;
  promise.parseResponse = function tracedParseResponse(this: unknown, ...args: unknown[]) {
    if (!call.parseStarted) {
      call.parseStarted = true;
      unparsed.unregister(call);
    }
    let parsed: unknown;
    try {
      parsed = parseResponse.apply(this, args);
    } catch (error) {
      call.failed(error);
      call.end();
      throw error;
    }
    (isThenable(parsed) ? parsed : Promise.resolve(parsed)).then(
      (data) => onData(data, call),
      (error) => {
        call.failed(error);
        call.end();
      },
    );
    return parsed;
  };
  const thenUnwrap = promise._thenUnwrap;
  if (typeof thenUnwrap !== 'function') return;
  promise._thenUnwrap = function tracedThenUnwrap(this: unknown, ...args: unknown[]) {
    const derived = thenUnwrap.apply(this, args);
    if (isApiPromise(derived)) {
      safely('genai.observe', () => {
        observeParse(derived, call);
        derived.responsePromise.then(() => watchIfUnparsed(derived, call), ignore);
      });
    }
    return derived;
  };
}

function ignore(): void {}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

function onData(data: unknown, call: GenAICall): void {
  // A derived promise whose parse runs through the original's: the original's body already ended the call.
  if (call.ended) return;
  try {
    if (isSdkStream(data)) {
      observeStream(data, call);
      return;
    }
    call.succeeded(call.adapter.summarize(data, call.captureContent));
  } catch (error) {
    reportOnce('genai.response', 'reading a GenAI response failed', error);
  }
  call.end();
}

/**
 * `asResponse()` hands the caller the raw Response without parsing it, so the span ends when the
 * response arrives — unless a parse was already started (`withResponse()` parses, then asks for it).
 */
function patchAsResponse(proto: any): void {
  if (!proto || proto[PATCHED] || typeof proto.asResponse !== 'function') return;
  const asResponse = proto.asResponse;
  Object.defineProperty(proto, PATCHED, { value: true });
  proto.asResponse = function tracedAsResponse(this: ApiPromiseLike, ...args: unknown[]) {
    const call = this?.responsePromise && callsByResponse.get(this.responsePromise);
    if (call) {
      this.responsePromise.then(() => {
        if (!call.parseStarted) call.endAtResponse();
      }, ignore);
    }
    return asResponse.apply(this, args);
  };
}
