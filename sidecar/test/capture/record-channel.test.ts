import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openRecordChannel, type RecordChannel } from '../../src/capture/record-channel.js';

// 8 MiB of a position-dependent pattern: lost, reordered or overwritten bytes change the hash.
const PATTERN_BYTES = 8 << 20;
const WRITER = `
  const out = Buffer.alloc(${PATTERN_BYTES});
  for (let i = 0; i < out.length; i += 4) out.writeUInt32LE(i, i);
  process.stdout.write(out);`;

function expectedDigest(): string {
  const expected = Buffer.alloc(PATTERN_BYTES);
  for (let i = 0; i < expected.length; i += 4) expected.writeUInt32LE(i, i);
  return createHash('sha256').update(expected).digest('hex');
}

async function runWriter(channel: RecordChannel, args: string[]) {
  const digest = createHash('sha256');
  const backing = new Set<ArrayBufferLike>();
  let bytes = 0;
  const child = spawn(process.execPath, args, { stdio: ['ignore', channel.loaderStdout, 'inherit'] });
  const ended = channel.attach(child, (chunk) => {
    digest.update(chunk);
    backing.add(chunk.buffer);
    bytes += chunk.length;
  });
  const [status] = await Promise.all([new Promise((resolve) => child.on('close', resolve)), ended]);
  return { status, bytes, digest: digest.digest('hex'), buffers: backing.size };
}

describe('record channel', () => {
  const savedTmp = process.env.TMPDIR;
  afterEach(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  });

  it('delivers the loader’s stdout byte-exact through one reused read buffer', async () => {
    const channel = await openRecordChannel();
    expect(channel.fallbackReason).toBeUndefined();
    const result = await runWriter(channel, ['-e', WRITER]);
    expect(result).toMatchObject({ status: 0, bytes: PATTERN_BYTES, digest: expectedDigest() });
    expect(result.buffers).toBe(1);
  });

  it('falls back to a pipe, with its reason, when no socket can be made', async () => {
    process.env.TMPDIR = '/nonexistent/agentsight-test';
    const channel = await openRecordChannel();
    expect(channel.loaderStdout).toBe('pipe');
    expect(channel.fallbackReason).toMatch(/ENOENT/);
    const result = await runWriter(channel, ['-e', WRITER]);
    expect(result).toMatchObject({ status: 0, bytes: PATTERN_BYTES, digest: expectedDigest() });
  });

  it('ends when the writer exits without writing', async () => {
    const result = await runWriter(await openRecordChannel(), ['-e', '0']);
    expect(result).toMatchObject({ status: 0, bytes: 0 });
  });
});
