import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toJsonValue } from '../../src/export/json-line.js';
import { JsonlWriter } from '../../src/export/jsonl-writer.js';

describe('toJsonValue', () => {
  it('writes UTF-8 buffers as text, other bytes as base64, each with an encoding field; bigints as strings', () => {
    const value = toJsonValue({
      tsNs: 1_750_000_000_123_456_789n,
      request: { body: Buffer.from('{"q":"héllo"}'), headers: { host: 'x' } },
      response: { body: Buffer.from([0xff, 0x00, 0x80]) },
      list: [{ n: 2n }],
      skipped: undefined,
    });
    expect(value).toEqual({
      tsNs: '1750000000123456789',
      request: { body: '{"q":"héllo"}', bodyEncoding: 'utf8', headers: { host: 'x' } },
      response: { body: '/wCA', bodyEncoding: 'base64' },
      list: [{ n: '2' }],
    });
  });
});

describe('JsonlWriter', () => {
  it('writes one object per line with its type first, and counts lines', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'jsonl-')), 'out.jsonl');
    const writer = new JsonlWriter(path, () => {});
    writer.write('exec', { pid: 1, argv: ['a'] });
    writer.write('stats', { final: true });
    await writer.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { type: 'exec', pid: 1, argv: ['a'] },
      { type: 'stats', final: true },
    ]);
    expect(Object.keys(JSON.parse(lines[0]))[0]).toBe('type');
    expect(writer.stats()).toMatchObject({ lines: 2, droppedLines: 0 });
  });

  it('drops and counts lines once the file failed, and says so once', async () => {
    const logs: string[] = [];
    const writer = new JsonlWriter('/nonexistent-dir/out.jsonl', (l) => logs.push(l));
    await new Promise((resolve) => setTimeout(resolve, 50));
    writer.write('exec', { pid: 1 });
    writer.write('exec', { pid: 2 });
    await writer.close();
    expect(writer.stats().droppedLines).toBe(2);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('/nonexistent-dir/out.jsonl');
  });
});
