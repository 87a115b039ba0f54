/**
 * Collects a message body into one owned buffer (grown by doubling, or sized up front from
 * Content-Length), so the capture's event buffers are not retained and no final concat is needed.
 * Past `maxBytes` the bytes are only counted: a huge upload or download cannot exhaust memory.
 */
const EMPTY: Buffer = Buffer.alloc(0);
/** Up-front allocation limit: a declared length is a claim, not bytes we have seen. */
const MAX_PREALLOCATION = 1024 * 1024;
/** First allocation of a body of unknown length: most LLM replies fit, and fewer regrowths copy less. */
const MIN_ALLOCATION = 4096;
/**
 * Stores up to this size are cut from shared slabs, as Buffer.allocUnsafe does below 4 KiB: creating
 * an ArrayBuffer costs as much as copying several KiB, and bodies of a few KiB are the common case.
 * A body kept alive keeps its slab alive, which bounds the slab size.
 */
const MAX_SLAB_ALLOCATION = 8 * 1024;
const SLAB_BYTES = 64 * 1024;
let slab: Buffer = EMPTY;
let slabUsed = 0;

function allocateStore(size: number): Buffer {
  if (size > MAX_SLAB_ALLOCATION) return Buffer.allocUnsafe(size);
  if (slabUsed + size > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const store = slab.subarray(slabUsed, slabUsed + size);
  // 8-byte aligned, like Buffer's own pool.
  slabUsed += (size + 7) & ~7;
  return store;
}

/** What a message keeps of its body. */
export interface MessageBody {
  /** Body bytes seen, kept or not. */
  readonly seen: number;
  /** Bytes seen but not kept because of the size limit. */
  readonly overflow: number;
  append(source: Buffer, start: number, end: number): void;
  toBuffer(): Buffer;
}

/**
 * The body of an exchange no consumer will read (not an LLM call, and no JSONL or content capture):
 * counted, never copied. At tens of MB/s of such traffic, keeping bodies only to drop them later cost
 * the sidecar most of its time in garbage collection.
 */
export class CountedBody implements MessageBody {
  seen = 0;
  readonly overflow = 0;

  append(_source: Buffer, start: number, end: number): void {
    this.seen += end - start;
  }

  toBuffer(): Buffer {
    return EMPTY;
  }
}

export class BodyBuffer implements MessageBody {
  private store: Buffer = EMPTY;
  private kept = 0;
  seen = 0;

  constructor(
    private readonly maxBytes: number,
    expectedBytes = 0,
  ) {
    const initial = Math.min(expectedBytes, maxBytes, MAX_PREALLOCATION);
    if (initial > 0) this.store = allocateStore(initial);
  }

  append(source: Buffer, start: number, end: number): void {
    this.seen += end - start;
    const n = Math.min(end - start, this.maxBytes - this.kept);
    if (n <= 0) return;
    this.reserve(this.kept + n);
    // TypedArray#set skips Buffer#copy's argument handling: bodies arrive in many small slices (SSE).
    this.store.set(source.subarray(start, start + n), this.kept);
    this.kept += n;
  }

  get overflow(): number {
    return this.seen - this.kept;
  }

  toBuffer(): Buffer {
    return this.store.subarray(0, this.kept);
  }

  private reserve(size: number): void {
    if (size <= this.store.length) return;
    const grown = allocateStore(
      Math.min(this.maxBytes, Math.max(size, this.store.length * 2, MIN_ALLOCATION)),
    );
    this.store.copy(grown, 0, 0, this.kept);
    this.store = grown;
  }
}
