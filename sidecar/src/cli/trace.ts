import { existsSync } from 'node:fs';
import type { CommonOptions } from './args.js';
import { endSession, log, startSession, type CaptureTarget } from './session.js';
import { SessionError } from './session.js';

/** `trace`: captures the targets until SIGINT/SIGTERM (or until the capture dies). */
export async function runTrace(
  options: CommonOptions,
  target: { pids: number[]; comm: string[]; all: boolean },
): Promise<number> {
  const missing = target.pids.filter((pid) => !existsSync(`/proc/${pid}`));
  if (missing.length > 0) throw new SessionError(`no such process: ${missing.join(', ')}`, 2);
  const captureTarget: CaptureTarget = {
    ...(target.pids.length > 0 ? { pids: target.pids } : {}),
    ...(target.comm.length > 0 ? { comm: target.comm } : {}),
    ...(target.all ? { all: true } : {}),
  };
  const session = await startSession(options, captureTarget);
  for (const pid of target.pids) session.pipeline.adopt(pid);

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
