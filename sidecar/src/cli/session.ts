import { type CaptureHandle, checkCapturePrivileges, startCapture } from '../capture/index.js';
import { createPipeline, type Pipeline, type PipelineStats } from '../pipeline.js';
import type { CommonOptions } from './args.js';
import { formatSummary } from './summary.js';

export type CaptureTarget = Parameters<typeof startCapture>[0]['target'];

export interface Session {
  pipeline: Pipeline;
  capture: CaptureHandle;
}

/** Thrown when the session cannot start; `exitCode` says how the CLI should exit. */
export class SessionError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function log(line: string): void {
  process.stderr.write(`agentsight-sidecar: ${line}\n`);
}

/** Checks privileges, then wires a pipeline to a running capture. */
export async function startSession(options: CommonOptions, target: CaptureTarget): Promise<Session> {
  const privileges = checkCapturePrivileges();
  if (!privileges.ok) {
    throw new SessionError(privileges.message, 2);
  }
  const pipeline = createPipeline({
    ...(options.serviceName ? { serviceName: options.serviceName } : {}),
    ...(options.otlpEndpoint ? { otlp: { endpoint: options.otlpEndpoint } } : {}),
    ...(options.jsonlPath ? { jsonlPath: options.jsonlPath } : {}),
    ...(options.captureContent ? { captureContent: true } : {}),
    ...(options.redactPatterns.length > 0 ? { redact: { bodyPatterns: options.redactPatterns } } : {}),
    onLog: log,
  });
  let capture: CaptureHandle;
  try {
    capture = await startCapture({
      target,
      ...(options.ringBufferBytes ? { ringBufferBytes: options.ringBufferBytes } : {}),
      onEvent: pipeline.handle,
      // The loader reports progress (ready, attached, stopped); --quiet keeps the terminal for the command.
      ...(options.quiet ? {} : { onLog: log }),
    });
  } catch (error) {
    await pipeline.stop();
    throw new SessionError(`capture failed to start: ${(error as Error).message}`, 1);
  }
  pipeline.attachCapture(() => capture.stats());
  return { pipeline, capture };
}

/** Stops capture first (so its last events get through), then drains the pipeline. */
export async function endSession(session: Session, quiet: boolean): Promise<PipelineStats> {
  try {
    await session.capture.stop();
  } catch (error) {
    log(`capture did not stop cleanly: ${(error as Error).message}`);
  }
  const stats = await session.pipeline.stop();
  if (!quiet) process.stderr.write(formatSummary(stats));
  return stats;
}
