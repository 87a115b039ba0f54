/**
 * Per-program BPF cost from the kernel's own run statistics (`kernel.bpf_stats_enabled`): while a
 * capture runs, snapshots `bpftool prog show` for the programs the sidecar's loader holds open
 * (found through /proc/<pid>/fdinfo, which works whatever bpftool was built with), so the last
 * snapshot holds cumulative run counts and run time per program.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { childrenOf } from '../lib/process-tree.mjs';

const run = promisify(execFile);
const STATS_SYSCTL = '/proc/sys/kernel/bpf_stats_enabled';

/** Turns stats on; returns a function restoring the previous setting. */
export function enableBpfStats() {
  const previous = readFileSync(STATS_SYSCTL, 'utf8').trim();
  writeFileSync(STATS_SYSCTL, '1');
  return () => writeFileSync(STATS_SYSCTL, previous);
}

/** Ids of the BPF programs a process holds file descriptors for. */
function heldProgramIds(pid) {
  const ids = new Set();
  let fds = [];
  try {
    fds = readdirSync(`/proc/${pid}/fdinfo`);
  } catch {
    return ids;
  }
  for (const fd of fds) {
    try {
      const match = /^prog_id:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (match) ids.add(Number(match[1]));
    } catch {
      // the fd closed meanwhile
    }
  }
  return ids;
}

async function snapshot(sidecarPid) {
  const ids = new Set();
  for (const pid of [sidecarPid, ...childrenOf(sidecarPid).map((child) => child.pid)]) {
    for (const id of heldProgramIds(pid)) ids.add(id);
  }
  if (ids.size === 0) return [];
  const { stdout } = await run('bpftool', ['prog', 'show', '--json'], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout).filter((prog) => ids.has(prog.id));
}

/** Polls every `intervalMs` while `sidecarPid` runs; `stop()` returns the last snapshot. */
export function watchBpfPrograms(sidecarPid, intervalMs = 500) {
  let latest = [];
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const programs = await snapshot(sidecarPid);
      if (programs.length > 0) latest = programs;
    } catch {
      // bpftool missing or the process just exited: keep the previous snapshot.
    } finally {
      busy = false;
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return latest
        .filter((prog) => (prog.run_cnt ?? 0) > 0)
        .map((prog) => ({
          name: prog.name,
          type: prog.type,
          runs: prog.run_cnt,
          avgNs: prog.run_time_ns / prog.run_cnt,
          totalMs: prog.run_time_ns / 1e6,
        }))
        .sort((a, b) => b.totalMs - a.totalMs);
    },
  };
}
