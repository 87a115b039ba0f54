import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../src/cli/args.js';

describe('parseCliArgs', () => {
  it('takes everything after -- as the command, never as sidecar options', () => {
    const cli = parseCliArgs([
      'record',
      '--jsonl',
      'out.jsonl',
      '--capture-content',
      '--redact-pattern',
      'sk-[a-z]+',
      '--redact-pattern',
      '\\d{3}-\\d{2}',
      '--otlp-endpoint',
      'http://127.0.0.1:4318',
      '--',
      'curl',
      '--jsonl',
      '-s',
    ]);
    expect(cli).toMatchObject({
      command: 'record',
      argv: ['curl', '--jsonl', '-s'],
      options: {
        jsonlPath: 'out.jsonl',
        captureContent: true,
        otlpEndpoint: 'http://127.0.0.1:4318',
        quiet: false,
      },
    });
    if (cli.command !== 'record') throw new Error('unreachable');
    expect(cli.options.redactPatterns.map((r) => r.source)).toEqual(['sk-[a-z]+', '\\d{3}-\\d{2}']);
  });

  it('parses trace targets and numeric options', () => {
    expect(
      parseCliArgs([
        'trace',
        '--pid',
        '12',
        '--pid',
        '34',
        '--comm',
        'node',
        '--ringbuf-bytes',
        '4194304',
        '--quiet',
      ]),
    ).toMatchObject({
      command: 'trace',
      target: { pids: [12, 34], comm: 'node', all: false },
      options: { ringBufferBytes: 4194304, quiet: true },
    });
    expect(parseCliArgs(['trace', '--all'])).toMatchObject({ target: { all: true } });
    expect(parseCliArgs(['--help'])).toEqual({ command: 'help' });
  });

  it.each([
    [[], /missing command/],
    [['record'], /needs a command/],
    [['trace'], /needs a target/],
    [['trace', '--pid', 'abc'], /--pid needs a positive integer/],
    [['trace', '--all', '--', 'ls'], /takes no command/],
    [['record', '--all', '--', 'ls'], /belong to trace/],
    [['record', '--redact-pattern', '(', '--', 'ls'], /not a valid regular expression/],
    [['record', '--otlp-endpoint', 'collector:4318', '--', 'ls'], /needs an http\(s\) URL/],
    [['record', '--bogus', '--', 'ls'], /bogus/],
    [['replay'], /unknown command 'replay'/],
  ])('rejects %j', (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(UsageError);
    expect(() => parseCliArgs(args)).toThrow(message);
  });
});
