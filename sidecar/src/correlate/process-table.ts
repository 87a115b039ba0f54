import type { TrackedProcess } from './tracked-process.js';

/**
 * Live processes by pid, plus a bounded memory of exited ones: HTTP exchanges are often decoded
 * after their process exited (the TLS stream is flushed at close), and still need its span ids.
 */
export class ProcessTable {
  private readonly live = new Map<number, TrackedProcess>();
  private readonly exited = new Map<number, TrackedProcess>();

  constructor(private readonly maxExited = 4096) {}

  /** The live process with this pid, else the most recent exited one. */
  get(pid: number): TrackedProcess | undefined {
    return this.live.get(pid) ?? this.exited.get(pid);
  }

  getLive(pid: number): TrackedProcess | undefined {
    return this.live.get(pid);
  }

  add(process: TrackedProcess): void {
    this.live.set(process.pid, process);
  }

  markExited(process: TrackedProcess): void {
    this.live.delete(process.pid);
    this.exited.delete(process.pid);
    this.exited.set(process.pid, process);
    if (this.exited.size > this.maxExited) {
      const oldest = this.exited.keys().next().value;
      if (oldest !== undefined) this.exited.delete(oldest);
    }
  }

  liveProcesses(): TrackedProcess[] {
    return [...this.live.values()];
  }
}
