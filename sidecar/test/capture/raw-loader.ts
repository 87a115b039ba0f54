import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { FrameSplitter } from '../../src/capture/frame-splitter.js';
import { findLoader } from '../../src/capture/index.js';
import { type DecodedRecord, decodeRecord } from '../../src/capture/record-decoder.js';

/** The loader binary driven directly, keeping its raw stdout for byte-level assertions. */
export class RawLoader {
  readonly raw: Buffer[] = [];
  readonly records: Array<{ bytes: Buffer; decoded: DecodedRecord }> = [];
  readonly closed: Promise<number>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly splitter = new FrameSplitter();
  private waiters: Array<() => void> = [];
  private stderr = '';
  private exited = false;

  constructor(args: string[] = []) {
    this.child = spawn(findLoader(), args, { stdio: 'pipe' });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.raw.push(chunk);
      this.splitter.push(chunk, (rec) => {
        this.records.push({ bytes: Buffer.from(rec), decoded: decodeRecord(rec, (ns) => ns) });
      });
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.exited = true;
        for (const wake of this.waiters.splice(0)) wake();
        resolve(code ?? -1);
      }),
    );
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Waits for a record matching `pred` among those received from index `from` on. */
  async waitFor(
    pred: (r: DecodedRecord) => boolean,
    what: string,
    timeoutMs = 5000,
    from = 0,
  ): Promise<DecodedRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.records.slice(from).find((r) => pred(r.decoded));
      if (hit) return hit.decoded;
      if (this.exited) throw new Error(`loader exited before ${what}: ${this.stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`loader: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Closes stdin (clean stop) and resolves with the exit code once stdout is drained. */
  async stop(): Promise<number> {
    this.child.stdin.end();
    return this.closed;
  }

  output(): Buffer {
    return Buffer.concat(this.raw);
  }
}
