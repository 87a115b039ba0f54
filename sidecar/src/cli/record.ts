import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import type { Writable } from 'node:stream';
import type { CommonOptions } from './args.js';
import { endSession, log, type Session, startSession } from './session.js';

/**
 * Holds the command at a shell `read` on fd 3 until the sidecar writes a line: the pid exists
 * (and is tracked) before the real command execs, so nothing it does escapes the capture. If
 * the sidecar dies first, the pipe closes without a line and the command never runs.
 */
const GATE_SCRIPT = 'read -r _ <&3 || exit 125; exec "$0" "$@" 3<&-';
/** How long to wait, after the command exited, for its exit event to come through the capture. */
const EXIT_EVENT_GRACE_MS = 2000;
/** Sent to the sidecar alone (kill, service managers): passed on to the command. */
const FORWARDED_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;
/** Typed at the terminal: the kernel already delivers them to the command too (same process group). */
const TERMINAL_SIGNALS = ['SIGINT', 'SIGQUIT'] as const;

function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return code ?? 1;
}

async function spawnGated(argv: string[]): Promise<ChildProcess> {
  const child = spawn('/bin/sh', ['-c', GATE_SCRIPT, ...argv], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
  });
  await once(child, 'spawn');
  return child;
}

/** `record`: runs the command under capture and returns the exit status to use. */
export async function runRecord(options: CommonOptions, argv: string[]): Promise<number> {
  const session: Session = await startSession(options, { pids: [] });
  let child: ChildProcess;
  try {
    child = await spawnGated(argv);
  } catch (error) {
    log(`cannot start ${argv[0]}: ${(error as Error).message}`);
    await endSession(session, options.quiet);
    return 127;
  }
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const pid = child.pid!;
  try {
    await session.capture.track(pid);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    log(`cannot track pid ${pid}: ${(error as Error).message}`);
    await endSession(session, options.quiet);
    return 1;
  }
  session.pipeline.adopt(pid);
  const gate = child.stdio[3] as Writable;
  // A command killed before the gate opens closes the pipe: its exit status says what happened.
  gate.on('error', () => {});
  gate.end('\n');

  // The sidecar outlives every signal, so it can record how the command ends.
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  const ignore = (): void => {};
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  for (const signal of TERMINAL_SIGNALS) process.on(signal, ignore);
  void session.capture.exited.then((code) => {
    if (child.exitCode === null && child.signalCode === null)
      log(`capture stopped unexpectedly (status ${code}); the command keeps running untraced`);
  });

  const [code, signal] = await exited;
  for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  for (const signal of TERMINAL_SIGNALS) process.off(signal, ignore);
  await session.pipeline.waitForExit(pid, EXIT_EVENT_GRACE_MS);
  await endSession(session, options.quiet);
  return exitStatus(code, signal);
}
