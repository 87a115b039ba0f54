import { createWriteStream, type WriteStream } from 'node:fs';
import { toJsonLine } from './json-line.js';

export interface JsonlStats {
  lines: number;
  bytes: number;
  /** Lines not written: the file failed, or the disk fell too far behind. */
  droppedLines: number;
}

/** Buffered lines beyond this are dropped (and counted) instead of growing memory without bound. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Appends one JSON object per line to a file; never throws into the pipeline. */
export class JsonlWriter {
  private readonly stream: WriteStream;
  private failed = false;
  private readonly counters: JsonlStats = { lines: 0, bytes: 0, droppedLines: 0 };

  constructor(
    readonly path: string,
    private readonly log: (line: string) => void,
  ) {
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (error) => {
      if (!this.failed)
        this.log(`JSONL file ${path} failed, records are dropped from now on: ${error.message}`);
      this.failed = true;
    });
  }

  write(type: string, record: object): void {
    if (this.failed || this.stream.writableLength > MAX_BUFFERED_BYTES) {
      this.counters.droppedLines++;
      return;
    }
    const line = toJsonLine(type, record);
    this.stream.write(line);
    this.counters.lines++;
    this.counters.bytes += Buffer.byteLength(line);
  }

  stats(): JsonlStats {
    return { ...this.counters };
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
      this.stream.once('error', () => resolve());
    });
  }
}
