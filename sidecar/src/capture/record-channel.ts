import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes per read: several ring-buffer drains of the loader at once. */
const READ_BUFFER_BYTES = 1 << 20;

/**
 * The byte stream from the loader (its stdout) to the sidecar. Preferably a connected pair of Unix
 * sockets that the sidecar reads into one reused buffer: a pipe read through `child.stdout`
 * allocates a fresh 64 KiB buffer per read, and at ~1 GB/s of plaintext collecting those buffers
 * took half of the sidecar's CPU. Where no socket can be made (no writable temporary directory),
 * it is that plain pipe.
 */
export interface RecordChannel {
  /** What spawn() gets as the loader's stdout. */
  readonly loaderStdout: 'pipe' | Socket;
  /** Why the plain pipe is used, when it is. */
  readonly fallbackReason?: string;
  /**
   * Call right after spawn(). Delivers every read to `onChunk`, which must copy what it keeps: the
   * chunk may be read into again after the call. Resolves at end of stream.
   */
  attach(child: ChildProcess, onChunk: (chunk: Buffer) => void): Promise<void>;
}

export async function openRecordChannel(): Promise<RecordChannel> {
  try {
    return await openSocketChannel();
  } catch (error) {
    return pipeChannel(`no socket channel: ${(error as Error).message}`);
  }
}

function pipeChannel(fallbackReason: string): RecordChannel {
  return {
    loaderStdout: 'pipe',
    fallbackReason,
    attach(child, onChunk) {
      const stdout = child.stdout;
      if (!stdout) return Promise.resolve();
      stdout.on('data', onChunk);
      return new Promise((resolve) => stdout.on('close', () => resolve()));
    },
  };
}

/**
 * The listening socket lives in a fresh 0700 directory and is removed once connected, so no other
 * local user can connect first and inject records.
 */
async function openSocketChannel(): Promise<RecordChannel> {
  const dir = mkdtempSync(join(tmpdir(), 'agentsight-'));
  const path = join(dir, 'records.sock');
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    // Nothing arrives before the loader is spawned, which is after attach() set the consumer.
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
    return {
      loaderStdout: loaderEnd,
      attach(_child, onChunk) {
        deliver = onChunk;
        // The child holds its own copy; closing ours lets EOF come when the loader exits.
        loaderEnd.destroy();
        return ended;
      },
    };
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
