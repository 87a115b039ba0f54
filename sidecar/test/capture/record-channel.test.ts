import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openRecordChannel } from '../../src/capture/record-channel.js';

describe('record channel', () => {
  it('delivers a child’s stdout byte-exact through one reused read buffer', async () => {
    const channel = await openRecordChannel();
    const digest = createHash('sha256');
    const backing = new Set<ArrayBuffer | SharedArrayBuffer>();
    let bytes = 0;
    channel.onChunk = (chunk) => {
      digest.update(chunk);
      backing.add(chunk.buffer);
      bytes += chunk.length;
    };
    // 8 MiB of a position-dependent pattern: any reordering or reuse bug changes the hash.
    const script = `
      const out = Buffer.alloc(8 << 20);
      for (let i = 0; i < out.length; i += 4) out.writeUInt32LE(i, i);
      process.stdout.write(out);`;
    const child = spawn(process.execPath, ['-e', script], {
      stdio: ['ignore', channel.loaderEnd, 'inherit'],
    });
    channel.releaseLoaderEnd();
    const [status] = await Promise.all([new Promise((resolve) => child.on('close', resolve)), channel.ended]);

    const expected = Buffer.alloc(8 << 20);
    for (let i = 0; i < expected.length; i += 4) expected.writeUInt32LE(i, i);
    expect(status).toBe(0);
    expect(bytes).toBe(expected.length);
    expect(digest.digest('hex')).toBe(createHash('sha256').update(expected).digest('hex'));
    expect(backing.size).toBe(1);
  });

  it('ends when the writer exits without writing', async () => {
    const channel = await openRecordChannel();
    let bytes = 0;
    channel.onChunk = (chunk) => {
      bytes += chunk.length;
    };
    spawn('true', [], { stdio: ['ignore', channel.loaderEnd, 'inherit'] });
    channel.releaseLoaderEnd();
    await channel.ended;
    expect(bytes).toBe(0);
  });
});
