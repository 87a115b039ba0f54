/**
 * Rebuilds one ordered byte stream (one direction of one connection) from capture chunks that carry
 * their stream offset. Chunks can arrive out of order (per-CPU ring buffers) or not at all (kernel
 * drops, truncated copies); the consumer gets bytes strictly in order, with every hole reported as an
 * explicit gap of exact length.
 */

export interface StreamSink {
  data(bytes: Buffer, tsNs: bigint): void;
  gap(offset: number, length: number, tsNs: bigint): void;
  /** Bytes received twice (overlapping offsets); counted, not delivered again. */
  duplicate(length: number): void;
}

interface HeldChunk {
  offset: number;
  data: Buffer;
  tsNs: bigint;
  truncated: boolean;
}

/**
 * How long an out-of-order chunk may wait for the bytes before it. The eBPF ring buffer delivers
 * one connection's chunks in order, so a jump almost always means the kernel dropped the bytes
 * in between: a short reordering window is enough, and a long one only holds memory under
 * overload (16 connections at 4 MiB each were most of the sidecar's RSS).
 */
const MAX_HOLD_NS = 1_000_000_000n;
const MAX_HELD_CHUNKS = 8;
const MAX_HELD_BYTES = 256 * 1024;

export class StreamReassembler {
  private expected = 0;
  /** The last delivered chunk was truncated: the bytes after it will never come. */
  private holeAfterLast = false;
  private held: HeldChunk[] = [];
  private heldBytes = 0;

  constructor(private readonly sink: StreamSink) {}

  push(offset: number, data: Buffer, truncated: boolean, tsNs: bigint): void {
    if (offset < this.expected) {
      const overlap = Math.min(this.expected - offset, data.length);
      this.sink.duplicate(overlap);
      if (overlap === data.length) {
        if (truncated && offset + data.length === this.expected) this.holeAfterLast = true;
        return;
      }
      data = data.subarray(overlap);
      offset = this.expected;
    }
    if (offset === this.expected) {
      this.deliver(offset, data, tsNs, truncated);
      this.drainHeld();
      return;
    }
    if (this.holeAfterLast) {
      this.sink.gap(this.expected, offset - this.expected, tsNs);
      this.expected = offset;
      this.deliver(offset, data, tsNs, truncated);
      this.drainHeld();
      return;
    }
    this.hold({ offset, data, tsNs, truncated });
    this.releaseStale(tsNs);
  }

  /** End of stream: whatever is still held is delivered after explicit gaps. */
  flush(tsNs: bigint): void {
    while (this.held.length > 0) this.skipToFirstHeld(tsNs);
  }

  private deliver(offset: number, data: Buffer, tsNs: bigint, truncated: boolean): void {
    if (data.length > 0) this.sink.data(data, tsNs);
    this.expected = offset + data.length;
    this.holeAfterLast = truncated;
  }

  private hold(chunk: HeldChunk): void {
    // Capture chunks are views into larger input buffers: keep only the bytes.
    chunk.data = Buffer.from(chunk.data);
    let i = this.held.length;
    while (i > 0 && this.held[i - 1].offset > chunk.offset) i--;
    this.held.splice(i, 0, chunk);
    this.heldBytes += chunk.data.length;
  }

  private drainHeld(): void {
    while (this.held.length > 0 && this.held[0].offset <= this.expected) {
      const chunk = this.takeFirstHeld();
      const overlap = this.expected - chunk.offset;
      if (overlap >= chunk.data.length) {
        this.sink.duplicate(chunk.data.length);
        continue;
      }
      if (overlap > 0) this.sink.duplicate(overlap);
      this.deliver(this.expected, chunk.data.subarray(overlap), chunk.tsNs, chunk.truncated);
    }
  }

  /** Held chunks wait only briefly: too many, too large, or too old means the bytes before them are lost. */
  private releaseStale(nowNs: bigint): void {
    while (
      this.held.length > 0 &&
      (this.held.length > MAX_HELD_CHUNKS ||
        this.heldBytes > MAX_HELD_BYTES ||
        nowNs - this.held[0].tsNs > MAX_HOLD_NS)
    ) {
      this.skipToFirstHeld(nowNs);
    }
  }

  private skipToFirstHeld(tsNs: bigint): void {
    const first = this.held[0];
    if (first.offset > this.expected) {
      this.sink.gap(this.expected, first.offset - this.expected, tsNs);
      this.expected = first.offset;
    }
    this.drainHeld();
  }

  private takeFirstHeld(): HeldChunk {
    const chunk = this.held.shift()!;
    this.heldBytes -= chunk.data.length;
    return chunk;
  }
}
