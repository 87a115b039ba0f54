import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes per read: several ring-buffer drains of the loader at once. */
const READ_BUFFER_BYTES = 1 << 20;

/**
 * The byte stream from the loader to the sidecar: a connected pair of Unix sockets. The loader gets
 * one end as its stdout; the sidecar reads the other into one reused buffer. A pipe read through
 * `child.stdout` allocates a fresh 64 KiB buffer per read, and at ~1 GB/s of plaintext the
 * collection of those buffers took half of the sidecar's CPU.
 */
export interface RecordChannel {
  /** Hand to spawn() as the loader's stdout, then call releaseLoaderEnd(). */
  readonly loaderEnd: Socket;
  /** Closes this process's copy of the loader's end; the child keeps its own. */
  releaseLoaderEnd(): void;
  /**
   * Receives every read. `chunk` is only valid during the call: the buffer is read into again
   * afterwards, so anything kept must be copied.
   */
  onChunk: (chunk: Buffer) => void;
  /** Resolves when the loader's end is closed by every holder (EOF) or the socket fails. */
  readonly ended: Promise<void>;
}

/**
 * Opens the channel. The listening socket lives in a fresh 0700 directory and is removed once
 * connected, so no other local user can connect first and inject records.
 */
export async function openRecordChannel(): Promise<RecordChannel> {
  const dir = mkdtempSync(join(tmpdir(), 'agentsight-'));
  const path = join(dir, 'records.sock');
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    // Nothing arrives before the loader is spawned, which is after this function returns.
    let deliver: (chunk: Buffer) => void = () => {};
    const reader = connect({
      path,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
        callback: (bytes: number, buf: Uint8Array) => {
          deliver((buf as Buffer).subarray(0, bytes));
          return true;
        },
      },
    });
    await new Promise<void>((resolve, reject) => {
      reader.once('connect', resolve);
      reader.once('error', reject);
    });
    // EOF and errors both end the stream; the loader's exit status says why.
    reader.on('error', () => {});
    const ended = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const loaderEnd = await accepted;
    loaderEnd.pause(); // nothing is ever sent to the loader this way
    const channel: RecordChannel = {
      loaderEnd,
      ended,
      onChunk: () => {},
      releaseLoaderEnd: () => loaderEnd.destroy(),
    };
    deliver = (chunk) => channel.onChunk(chunk);
    return channel;
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
