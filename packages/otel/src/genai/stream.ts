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
    return new ObservedIteration(original.apply(this, args), call, accumulator);
  };
}

/**
 * One pass over a stream's chunks. `next()` hands the caller the SDK's own promise and observes it with a
 * side reaction registered first, so it runs before the caller's continuation (the span has ended by the
 * time the caller sees `done`) without adding a promise layer to every chunk the caller awaits.
 */
class ObservedIteration implements AsyncIterableIterator<unknown> {
  private sawChunk = false;

  constructor(
    private readonly inner: AsyncIterator<unknown>,
    private readonly call: GenAICall,
    private readonly accumulator: StreamAccumulator,
  ) {}

  next(...args: [] | [unknown]): Promise<IteratorResult<unknown>> {
    let pending: Promise<IteratorResult<unknown>>;
    try {
      pending = this.inner.next(...args);
    } catch (error) {
      this.onError(error);
      throw error;
    }
    pending.then(this.onResult, this.onError);
    return pending;
  }

  /** `break` in `for await`, or a consumer cancelling: what was seen so far is recorded. */
  return(value?: unknown): Promise<IteratorResult<unknown>> {
    this.finish();
    return this.inner.return ? this.inner.return(value) : Promise.resolve({ done: true as const, value });
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    this.onError(error);
    return this.inner.throw ? this.inner.throw(error) : Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  // Arrow properties: passed to `then` as they are, so no function is bound per chunk. Neither may throw:
  // the promise `then` derives from them is dropped, so a rejection there would be an unhandled one.
  private readonly onResult = (result: IteratorResult<unknown>): void => {
    try {
      if (result.done) {
        this.finish();
        return;
      }
      if (!this.sawChunk) {
        this.sawChunk = true;
        this.call.firstChunk();
      }
      this.accumulator.add(result.value);
    } catch (error) {
      reportOnce('genai.stream.chunk', 'reading a GenAI stream chunk failed', error);
    }
  };

  private readonly onError = (error: unknown): void => {
    try {
      this.call.failed(error);
      this.finish();
    } catch (failure) {
      reportOnce('genai.stream.error', 'recording a GenAI stream error failed', failure);
    }
  };

  private finish(): void {
    if (this.call.ended) return;
    try {
      this.call.succeeded(this.accumulator.summary());
    } catch (error) {
      reportOnce('genai.stream.summary', 'summarizing a GenAI stream failed', error);
    }
    this.call.end();
  }
}
