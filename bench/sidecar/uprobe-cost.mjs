/**
 * (e) What one probed SSL call costs, by the instruction the probe sits on. A small C program exports
 * SSL_write and SSL_read, so the loader attaches to it as to any executable with a static OpenSSL, and
 * calls them in a loop. Their first instruction is either `push` (emulated by the kernel, as at the
 * start of Node's OpenSSL functions) or `sub $8,%rsp` (single-stepped out of line, as at the start of
 * Debian's libssl.so.3 ones). Per variant: no loader; loader attached but this process not traced
 * (the traps and the BPF pid check only); traced (payloads copied into the ring buffer, the loader's
 * records going to /dev/null). Needs clang, root and BPF; the caller checks the latter.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../lib/stats.mjs';
import { startLoader } from './capture-only.mjs';
import { runTimed } from './sidecar-cli.mjs';

const TRACED_COMM = 'asbench-ssl';
const UNTRACED_NAME = 'asbench-other';
export const PAYLOAD_BYTES = 64;

const VARIANTS = {
  'push (emulated; Node)': { enter: 'push %rbx', leave: 'pop %rbx' },
  'sub (single-stepped; libssl.so.3)': { enter: 'sub $8, %rsp', leave: 'add $8, %rsp' },
};

/** SSL_write/SSL_read(ssl, buf, num) return num, as a successful call does; main times N pairs. */
function source({ enter, leave }) {
  const fn = (name) =>
    `.globl ${name}\\n.type ${name},@function\\n${name}:\\n\\t${enter}\\n\\tmov %edx, %eax\\n\\t${leave}\\n\\tret\\n`;
  return `#include <stdio.h>
#include <stdlib.h>
#include <time.h>
__asm__(".text\\n${fn('SSL_write')}${fn('SSL_read')}");
int SSL_write(void *ssl, const void *buf, int num);
int SSL_read(void *ssl, void *buf, int num);
int main(int argc, char **argv) {
  long pairs = atol(argv[1]);
  static char ssl[64], buf[${PAYLOAD_BYTES}];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < pairs; i++) {
    if (SSL_write(ssl, buf, sizeof buf) != sizeof buf || SSL_read(ssl, buf, sizeof buf) != sizeof buf) return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  fprintf(stderr, "%.1f\\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (2.0 * pairs));
  return 0;
}
`;
}

/** ns per SSL call of one run of `path`. */
async function nsPerCall(path, pairs) {
  const result = await runTimed([path, String(pairs)]);
  const ns = Number.parseFloat(result.stderr);
  if (result.code !== 0 || !Number.isFinite(ns))
    throw new Error(`${path} exited ${result.code}: ${result.stderr}`);
  return ns;
}

/** Rows of { variant, plain, untraced, traced } in ns per call (medians over `rounds`). */
export async function measureUprobeCost({ pairs = 50_000, rounds = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'agentsight-uprobe-cost-'));
  try {
    const builds = Object.entries(VARIANTS).map(([variant, prologue], i) => {
      const sub = join(dir, String(i));
      mkdirSync(sub);
      const binary = join(sub, 'fake-ssl');
      writeFileSync(`${binary}.c`, source(prologue));
      execFileSync('clang', ['-O2', '-rdynamic', '-o', binary, `${binary}.c`]);
      // comm comes from the name exec'd: one link is traced by the loader, the other is not.
      symlinkSync(binary, join(sub, TRACED_COMM));
      symlinkSync(binary, join(sub, UNTRACED_NAME));
      return { variant, traced: join(sub, TRACED_COMM), untraced: join(sub, UNTRACED_NAME) };
    });
    const samples = builds.map(() => ({ plain: [], untraced: [], traced: [] }));
    for (const [i, build] of builds.entries()) {
      for (let r = 0; r < rounds; r++) samples[i].plain.push(await nsPerCall(build.untraced, pairs));
    }
    const loader = await startLoader(TRACED_COMM);
    try {
      for (let r = 0; r < rounds; r++) {
        for (const [i, build] of builds.entries()) {
          // The first traced run makes the loader attach to the file; later untraced runs then trap too.
          samples[i].traced.push(await nsPerCall(build.traced, pairs));
          samples[i].untraced.push(await nsPerCall(build.untraced, pairs));
        }
      }
    } finally {
      await loader.stop();
    }
    return builds.map((build, i) => ({
      variant: build.variant,
      plain: median(samples[i].plain),
      untraced: median(samples[i].untraced),
      traced: median(samples[i].traced),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
