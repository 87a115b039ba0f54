import { reportOnce } from '../internal/diag.js';
import type { GenAICall } from './call.js';
import type { StreamAccumulator } from './summary.js';

/** The SDKs' `Stream`: `iterator` is the single source of chunks for `for await`, `tee()` and `toReadableStream()`. */
export interface SdkStream {
  iterator: (...args: unknown[]) => AsyncIterator<unknown>;
  controller?: unknown;
}

export function isSdkStream(value: unknown): value is SdkStream {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SdkStream).iterator === 'function' &&
    typeof (value as any)[Symbol.asyncIterator] === 'function'
  );
}

// A stream nobody iterates and everybody drops still ends its span, at the time its response arrived.
const unread = new FinalizationRegistry<GenAICall>((call) => call.endAtResponse());

/**
 * Wraps the stream's `iterator` (not `Symbol.asyncIterator`, which `tee()` bypasses) so the span ends when
 * iteration completes, fails or is abandoned. Nothing is read ahead: chunks flow only as the caller pulls.
 */
export function observeStream(stream: SdkStream, call: GenAICall): void {
  const original = stream.iterator;
  const accumulator = call.adapter.accumulator(call.captureContent);
  unread.register(stream, call, call);
  stream.iterator = function tracedIterator(this: unknown, ...args: unknown[]) {
    unread.unregister(call);
    return traceIteration(original.apply(this, args), call, accumulator);
  };
}

function traceIteration(
  inner: AsyncIterator<unknown>,
  call: GenAICall,
  accumulator: StreamAccumulator,
): AsyncIterableIterator<unknown> {
  let sawChunk = false;
  const finish = () => {
    try {
      call.succeeded(accumulator.summary());
    } catch (error) {
      reportOnce('genai.stream.summary', 'summarizing a GenAI stream failed', error);
    }
    call.end();
  };
  const onResult = (result: IteratorResult<unknown>) => {
    if (result.done) {
      finish();
      return result;
    }
    if (!sawChunk) {
      sawChunk = true;
      call.firstChunk();
    }
    try {
      accumulator.add(result.value);
    } catch (error) {
      reportOnce('genai.stream.chunk', 'reading a GenAI stream chunk failed', error);
    }
    return result;
  };
  const onError = (error: unknown) => {
    call.failed(error);
    finish();
    throw error;
  };
  return {
    next: (...args: [] | [unknown]) => inner.next(...args).then(onResult, onError),
    // `break` in `for await`, or a consumer cancelling: what was seen so far is recorded.
    return: (value?: unknown) => {
      finish();
      return inner.return ? inner.return(value) : Promise.resolve({ done: true as const, value });
    },
    throw: (error?: unknown) => {
      call.failed(error);
      finish();
      return inner.throw ? inner.throw(error) : Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
