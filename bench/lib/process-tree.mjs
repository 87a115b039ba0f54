/** Reads process facts from /proc: children of a pid, resident memory and CPU time, for sampling. */
import { readdirSync, readFileSync } from 'node:fs';

function readOrEmpty(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** `comm` and parent pid from /proc/<pid>/stat (comm may contain spaces and parentheses). */
function statOf(pid) {
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const ppid = Number(stat.slice(close + 2).split(' ')[1]);
  return { comm, ppid };
}

/** Direct children of `pid`, with their command names. */
export function childrenOf(pid) {
  const children = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(entry);
    if (stat?.ppid === pid) children.push({ pid: Number(entry), comm: stat.comm });
  }
  return children;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const CLOCK_TICK_US = 10_000;

/** CPU time (user + system) the process has used so far, in µs, or undefined once it is gone. */
export function cpuMicros(pid) {
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_US;
}

/** VmRSS in bytes, or undefined once the process is gone. */
export function rssBytes(pid) {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readOrEmpty(`/proc/${pid}/status`));
  return match ? Number(match[1]) * 1024 : undefined;
}
