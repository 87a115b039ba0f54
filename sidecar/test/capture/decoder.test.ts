import { describe, expect, it } from 'vitest';
import { FrameSplitter } from '../../src/capture/frame-splitter.js';
import { formatIPv6 } from '../../src/capture/ip-address.js';
import { decodeRecord } from '../../src/capture/record-decoder.js';
import { Fork, Hdr, HEADER_SIZE, RECORD_MAGIC, RecordType } from '../../src/capture/record-layout.js';

function forkRecord(pid: number, child: number): Buffer {
  const b = Buffer.alloc(Fork.size);
  b.writeUInt32LE(RECORD_MAGIC, Hdr.magic);
  b.writeUInt32LE(Fork.size, Hdr.size);
  b.writeUInt16LE(RecordType.fork, Hdr.type);
  b.writeBigUInt64LE(1000n, Hdr.tsNs);
  b.writeUInt32LE(pid, Hdr.pid);
  b.writeUInt32LE(pid, Hdr.tid);
  b.write('sh', Hdr.comm);
  b.writeUInt32LE(child, Fork.childPid);
  return b;
}

describe('capture record framing (no kernel needed)', () => {
  it('splits records across arbitrary chunk boundaries', () => {
    const stream = Buffer.concat([forkRecord(1, 2), forkRecord(3, 4), forkRecord(5, 6)]);
    const splitter = new FrameSplitter();
    const pids: number[] = [];
    for (let i = 0; i < stream.length; i += 7) {
      splitter.push(stream.subarray(i, i + 7), (r) => pids.push(r.readUInt32LE(Hdr.pid)));
    }
    expect(pids).toEqual([1, 3, 5]);
    expect(splitter.malformed).toBe(0);
  });

  it('counts garbage and a bad size, then resynchronises on the next magic', () => {
    const bad = forkRecord(9, 9);
    bad.writeUInt32LE(7, Hdr.size); // impossible size
    const stream = Buffer.concat([Buffer.from('garbage!'), forkRecord(1, 2), bad, forkRecord(3, 4)]);
    const splitter = new FrameSplitter();
    const pids: number[] = [];
    splitter.push(stream, (r) => pids.push(r.readUInt32LE(Hdr.pid)));
    expect(pids).toEqual([1, 3]);
    expect(splitter.malformed).toBe(2);
  });

  it('yields the same records and resyncs whatever the chunking, with records up to 16 KiB', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const parts: Buffer[] = [];
    for (let i = 0; i < 60; i++) {
      const rec = Buffer.concat([
        forkRecord(i + 1, 0),
        Buffer.alloc(random(3) === 0 ? random(16384) : random(64), i),
      ]);
      rec.writeUInt32LE(rec.length, Hdr.size);
      parts.push(rec);
      if (random(10) === 0) parts.push(Buffer.from('junk bytes between records'));
    }
    const stream = Buffer.concat(parts);
    const collect = (chunkSizes: () => number): { records: Buffer[]; malformed: number } => {
      const splitter = new FrameSplitter();
      const records: Buffer[] = [];
      for (let i = 0; i < stream.length; ) {
        const n = chunkSizes();
        splitter.push(stream.subarray(i, i + n), (r) => records.push(Buffer.from(r)));
        i += n;
      }
      splitter.finish();
      return { records, malformed: splitter.malformed };
    };
    const whole = collect(() => stream.length);
    expect(whole.records).toHaveLength(60);
    for (const sizes of [() => 1 + random(100), () => 1 + random(20000), () => 65536, () => 47]) {
      const chunked = collect(sizes);
      expect(chunked.malformed).toBe(whole.malformed);
      expect(chunked.records).toEqual(whole.records);
    }
  });

  it('decodes with the epoch conversion and rejects inconsistent records', () => {
    const decoded = decodeRecord(forkRecord(10, 11), (ns) => ns + 5n);
    expect(decoded).toEqual({
      source: 'kernel',
      event: { kind: 'fork', pid: 10, tid: 10, ppid: 0, comm: 'sh', tsNs: 1005n, childPid: 11 },
    });
    const truncated = forkRecord(1, 2).subarray(0, HEADER_SIZE);
    expect(() => decodeRecord(truncated, (ns) => ns)).toThrow();
  });

  it('formats IPv6 addresses per RFC 5952', () => {
    const v6 = (hex: string) => Buffer.from(hex.replace(/:/g, ''), 'hex');
    expect(formatIPv6(v6('0000:0000:0000:0000:0000:0000:0000:0001'))).toBe('::1');
    expect(formatIPv6(v6('2001:0db8:0000:0000:0001:0000:0000:0001'))).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6(v6('0000:0000:0000:0000:0000:ffff:7f00:0001'))).toBe('::ffff:127.0.0.1');
  });
});
