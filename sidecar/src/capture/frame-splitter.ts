import { Hdr, HEADER_SIZE, MAX_RECORD_SIZE, RECORD_MAGIC } from './record-layout.js';

const MAGIC_BYTES = Buffer.alloc(4);
MAGIC_BYTES.writeUInt32LE(RECORD_MAGIC);
const EMPTY = Buffer.alloc(0);

/**
 * Cuts the loader's stdout byte stream into records. Never throws: a frame with a bad magic or
 * an impossible size is counted in `malformed` and the splitter resynchronises on the next magic.
 */
export class FrameSplitter {
  /** Corrupt spans skipped so far (each resync counts once). */
  malformed = 0;
  /** The start of a record cut by the end of the previous chunk (a copy). */
  private pending: Buffer = EMPTY;

  /**
   * Feeds a chunk of stdout; calls `onRecord` for each complete record: a view into `chunk` or into
   * a joined copy, valid during the call only (the capture reads into the same buffer again).
   */
  push(chunk: Buffer, onRecord: (record: Buffer) => void): void {
    let pos = 0;
    if (this.pending.length > 0) {
      // Join only the bytes that complete the cut record, not the whole (up to 1 MiB) chunk.
      const carried = this.pending.length;
      const joined = Buffer.concat([this.pending, chunk.subarray(0, this.bytesToComplete(chunk))]);
      const end = this.split(joined, 0, carried, onRecord);
      if (end < carried) {
        // Still incomplete: then `joined` holds all of `chunk`.
        this.pending = Buffer.from(joined.subarray(end));
        return;
      }
      pos = end - carried;
    }
    const end = this.split(chunk, pos, chunk.length, onRecord);
    // Copy the tail: the chunk's buffer is read into again after this call.
    this.pending = end >= chunk.length ? EMPTY : Buffer.from(chunk.subarray(end));
  }

  /** Bytes of an incomplete record left at end of stream: counted as one malformed record. */
  finish(): void {
    if (this.pending.length > 0) this.malformed++;
    this.pending = EMPTY;
  }

  /** How much of `chunk` the pending record still needs; all of it when its header is not readable yet. */
  private bytesToComplete(chunk: Buffer): number {
    const head = this.pending;
    if (head.length < HEADER_SIZE || head.readUInt32LE(Hdr.magic) !== RECORD_MAGIC) return chunk.length;
    const size = head.readUInt32LE(Hdr.size);
    if (size < HEADER_SIZE || size > MAX_RECORD_SIZE) return chunk.length;
    return Math.max(0, size - head.length);
  }

  /** Emits the records that start in [pos, until) and are complete in `buf`; returns where it stopped. */
  private split(buf: Buffer, pos: number, until: number, onRecord: (record: Buffer) => void): number {
    while (pos < until && buf.length - pos >= HEADER_SIZE) {
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
    return pos;
  }
}
