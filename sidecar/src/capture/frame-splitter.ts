import { Hdr, HEADER_SIZE, MAX_RECORD_SIZE, RECORD_MAGIC } from './record-layout.js';

const MAGIC_BYTES = Buffer.alloc(4);
MAGIC_BYTES.writeUInt32LE(RECORD_MAGIC);

/**
 * Cuts the loader's stdout byte stream into records. Never throws: a frame with a bad magic or
 * an impossible size is counted in `malformed` and the splitter resynchronises on the next magic.
 */
export class FrameSplitter {
  /** Corrupt spans skipped so far (each resync counts once). */
  malformed = 0;
  private pending: Buffer = Buffer.alloc(0);

  /** Feeds a chunk of stdout; calls `onRecord` for each complete record (a view valid only during the call). */
  push(chunk: Buffer, onRecord: (record: Buffer) => void): void {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let pos = 0;
    while (buf.length - pos >= HEADER_SIZE) {
      const size = buf.readUInt32LE(pos + Hdr.size);
      if (
        buf.readUInt32LE(pos + Hdr.magic) !== RECORD_MAGIC ||
        size < HEADER_SIZE ||
        size > MAX_RECORD_SIZE
      ) {
        this.malformed++;
        const next = buf.indexOf(MAGIC_BYTES, pos + 1);
        pos = next < 0 ? Math.max(pos + 1, buf.length - 3) : next;
        continue;
      }
      if (buf.length - pos < size) break;
      onRecord(buf.subarray(pos, pos + size));
      pos += size;
    }
    // Copy the tail so the (possibly large) chunk it came from can be collected.
    this.pending = pos >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
  }

  /** Bytes of an incomplete record left at end of stream: counted as one malformed record. */
  finish(): void {
    if (this.pending.length > 0) this.malformed++;
    this.pending = Buffer.alloc(0);
  }
}
