/**
 * Collects a message body as a list of slices and concatenates once at the end. Past `maxBytes` the
 * bytes are only counted, so a huge upload or download cannot exhaust the sidecar's memory.
 */
export class BodyBuffer {
  private parts: Buffer[] = [];
  private kept = 0;
  /** Body bytes seen, kept or not. */
  seen = 0;
  /** Body bytes the capture lost (gaps inside the body). */
  missing = 0;

  constructor(private readonly maxBytes: number) {}

  append(bytes: Buffer): void {
    this.seen += bytes.length;
    const room = this.maxBytes - this.kept;
    if (room <= 0) return;
    const slice = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.parts.push(slice);
    this.kept += slice.length;
  }

  /** Bytes seen but not kept because of the size limit. */
  get overflow(): number {
    return this.seen - this.kept;
  }

  toBuffer(): Buffer {
    if (this.parts.length === 1) return this.parts[0];
    return Buffer.concat(this.parts, this.kept);
  }
}
