import { readFileSync, readlinkSync } from 'node:fs';
import type { ExecEvent } from '../capture/events.js';

/** What /proc tells about a process that was already running when the sidecar met it. */
export interface ProcessSnapshot {
  pid: number;
  ppid: number;
  comm: string;
  argv: string[];
  /** Resolved /proc/<pid>/exe; empty when unreadable (kernel threads, other users). */
  filename: string;
  /** Process start, Unix epoch nanoseconds (1/USER_HZ resolution). */
  startNs: bigint;
  /** Only the OTel carrier variables, and only when /proc/<pid>/environ was readable. */
  env: ExecEvent['env'];
}

/** Linux reports /proc start times in USER_HZ ticks, which is 100 on every architecture Node runs on. */
const USER_HZ = 100n;
const NS_PER_TICK = 1_000_000_000n / USER_HZ;
const CARRIER_KEYS = ['TRACEPARENT', 'TRACESTATE', 'BAGGAGE'] as const;

let bootTimeNs: bigint | undefined;

function readBootTimeNs(): bigint {
  if (bootTimeNs === undefined) {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    bootTimeNs = BigInt(line?.slice(6).trim() ?? '0') * 1_000_000_000n;
  }
  return bootTimeNs;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function carrierEnv(environ: string | undefined): ExecEvent['env'] {
  const env: ExecEvent['env'] = {};
  if (!environ) return env;
  for (const entry of environ.split('\0')) {
    for (const key of CARRIER_KEYS) {
      if (entry.startsWith(`${key}=`)) env[key] = entry.slice(key.length + 1);
    }
  }
  return env;
}

/** Reads a live process from /proc; undefined when it is gone (or never existed). */
export function readProcessSnapshot(pid: number): ProcessSnapshot | undefined {
  const dir = `/proc/${pid}`;
  const stat = readOptional(`${dir}/stat`);
  if (!stat) return undefined;
  // comm may contain spaces and parentheses: the fixed fields start after the LAST ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  const startTicks = BigInt(fields[19] ?? '0');
  const cmdline = readOptional(`${dir}/cmdline`) ?? '';
  let filename = '';
  try {
    filename = readlinkSync(`${dir}/exe`);
  } catch {
    // Not ours to read, or a kernel thread: leave it empty.
  }
  return {
    pid,
    ppid,
    comm: (readOptional(`${dir}/comm`) ?? '').trim(),
    argv: cmdline.split('\0').filter((arg, i, all) => arg !== '' || i < all.length - 1),
    filename,
    startNs: readBootTimeNs() + startTicks * NS_PER_TICK,
    env: carrierEnv(readOptional(`${dir}/environ`)),
  };
}
