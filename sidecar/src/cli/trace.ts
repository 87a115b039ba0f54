import { existsSync } from 'node:fs';
import type { CommonOptions, TraceTarget } from './args.js';
import { type CaptureTarget, endSession, log, SessionError, startSession } from './session.js';

/** `trace`: captures the targets until SIGINT/SIGTERM (or until the capture dies). */
export async function runTrace(options: CommonOptions, target: TraceTarget): Promise<number> {
  const missing = target.pids.filter((pid) => !existsSync(`/proc/${pid}`));
  if (missing.length > 0) throw new SessionError(`no such process: ${missing.join(', ')}`, 2);
  const captureTarget: CaptureTarget = {
    ...(target.pids.length > 0 ? { pids: target.pids } : {}),
    ...(target.comm !== undefined ? { comm: target.comm } : {}),
    ...(target.all ? { all: true } : {}),
  };
  const session = await startSession(options, captureTarget);
  for (const pid of target.pids) session.pipeline.adopt(pid);
  if (!options.quiet) log(`tracing ${describeTarget(target)}; stop with SIGINT or SIGTERM`);

  const outcome = await new Promise<{ captureDied: boolean }>((resolve) => {
    const onSignal = (): void => resolve({ captureDied: false });
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    void session.capture.exited.then((code) => {
      log(`capture stopped unexpectedly (status ${code})`);
      resolve({ captureDied: true });
    });
  });
  await endSession(session, options.quiet);
  return outcome.captureDied ? 1 : 0;
}

function describeTarget(target: TraceTarget): string {
  if (target.all) return 'every process';
  const parts = [
    ...(target.pids.length > 0 ? [`pid ${target.pids.join(', ')} and descendants`] : []),
    ...(target.comm !== undefined ? [`processes named ${target.comm}`] : []),
  ];
  return parts.join(' and ');
}
