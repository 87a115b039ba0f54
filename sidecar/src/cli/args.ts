import { parseArgs } from 'node:util';

export interface CommonOptions {
  otlpEndpoint?: string;
  jsonlPath?: string;
  serviceName?: string;
  captureContent: boolean;
  redactPatterns: RegExp[];
  ringBufferBytes?: number;
  quiet: boolean;
}

/** What `trace` follows: these pids and their descendants, processes exec'ing a comm, or everything. */
export interface TraceTarget {
  pids: number[];
  comm?: string;
  all: boolean;
}

export type CliCommand =
  | { command: 'help' }
  | { command: 'record'; options: CommonOptions; argv: string[] }
  | { command: 'trace'; options: CommonOptions; target: TraceTarget };

/** A command line that cannot be run; the message says why. */
export class UsageError extends Error {}

const OPTIONS = {
  'otlp-endpoint': { type: 'string' },
  jsonl: { type: 'string' },
  'service-name': { type: 'string' },
  'capture-content': { type: 'boolean' },
  'redact-pattern': { type: 'string', multiple: true },
  'ringbuf-bytes': { type: 'string' },
  pid: { type: 'string', multiple: true },
  comm: { type: 'string' },
  all: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function positiveInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`--${name} needs a positive integer, got '${raw}'`);
  }
  return value;
}

function regex(raw: string): RegExp {
  try {
    return new RegExp(raw, 'g');
  } catch (error) {
    throw new UsageError(
      `--redact-pattern '${raw}' is not a valid regular expression: ${(error as Error).message}`,
    );
  }
}

function endpoint(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw;
  } catch {
    // fall through to the error below
  }
  throw new UsageError(`--otlp-endpoint needs an http(s) URL, got '${raw}'`);
}

/**
 * Parses `agentsight-sidecar <record|trace> [options] [-- COMMAND ARGS...]`. Everything after the
 * first `--` belongs to the traced command and is never read as an option.
 */
export function parseCliArgs(args: string[]): CliCommand {
  const separator = args.indexOf('--');
  const own = separator === -1 ? args : args.slice(0, separator);
  const commandArgv = separator === -1 ? [] : args.slice(separator + 1);
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: own, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('missing command: record or trace');

  const options: CommonOptions = {
    ...(values['otlp-endpoint'] !== undefined ? { otlpEndpoint: endpoint(values['otlp-endpoint']) } : {}),
    ...(values.jsonl !== undefined ? { jsonlPath: values.jsonl } : {}),
    ...(values['service-name'] !== undefined ? { serviceName: values['service-name'] } : {}),
    captureContent: values['capture-content'] ?? false,
    redactPatterns: (values['redact-pattern'] ?? []).map(regex),
    ...(values['ringbuf-bytes'] !== undefined
      ? { ringBufferBytes: positiveInteger('ringbuf-bytes', values['ringbuf-bytes']) }
      : {}),
    quiet: values.quiet ?? false,
  };

  if (command === 'record') {
    if (values.pid || values.comm || values.all)
      throw new UsageError('--pid, --comm and --all belong to trace');
    const argv = [...rest, ...commandArgv];
    if (argv.length === 0)
      throw new UsageError('record needs a command: record [options] -- COMMAND [ARGS...]');
    return { command: 'record', options, argv };
  }
  if (command === 'trace') {
    if (rest.length > 0 || commandArgv.length > 0)
      throw new UsageError(`trace takes no command: '${[...rest, ...commandArgv].join(' ')}'`);
    const target: TraceTarget = {
      pids: (values.pid ?? []).map((raw) => positiveInteger('pid', raw)),
      ...(values.comm !== undefined ? { comm: values.comm } : {}),
      all: values.all ?? false,
    };
    if (target.pids.length === 0 && target.comm === undefined && !target.all) {
      throw new UsageError('trace needs a target: --pid PID, --comm NAME or --all');
    }
    return { command: 'trace', options, target };
  }
  throw new UsageError(`unknown command '${command}': expected record or trace`);
}
