import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { EpochClock } from './clock.js';
import type { CaptureEvent, LossEvent } from './events.js';
import { FrameSplitter } from './frame-splitter.js';
import type { RecordChannel } from './record-channel.js';
import { decodeRecord, type LoaderRecord } from './record-decoder.js';
import type { CaptureHandle, CaptureOptions, CaptureStats } from './types.js';

const EXIT_NO_PRIVILEGES = 77;
const STDERR_TAIL_LINES = 20;
/** How long stop() waits for the loader to drain before killing it. */
const STOP_TIMEOUT_MS = 10_000;
/** Live traced pids remembered for the rescue below (the kernel's tracked map holds 65536). */
const MAX_REMEMBERED_PIDS = 65_536;

export function loaderArguments(options: CaptureOptions): string[] {
  const args: string[] = [];
  for (const pid of options.target.pids ?? []) {
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`capture: invalid pid ${pid}`);
    args.push('--pid', String(pid));
  }
  if (options.target.comm !== undefined) args.push('--comm', options.target.comm);
  if (options.target.all) args.push('--all');
  const rb = options.ringBufferBytes;
  if (rb !== undefined) {
    if (!Number.isInteger(rb) || rb < 4096 || (rb & (rb - 1)) !== 0) {
      throw new Error(`capture: ringBufferBytes must be a power of two >= 4096 (got ${rb})`);
    }
    args.push('--ringbuf-bytes', String(rb));
  }
  if (options.tls === false) args.push('--no-tls');
  return args;
}

/**
 * One running loader: spawns it with `channel` as its stdout, turns the records into CaptureEvents,
 * answers track() with the loader's ACKs and turns its stats records into LossEvents.
 */
export class LoaderProcess implements CaptureHandle {
  readonly exited: Promise<number>;
  /** Resolves at the loader's READY record; rejects if it exits or fails to spawn first. */
  readonly ready: Promise<void>;

  private readonly child: ChildProcessByStdio<Writable, Readable | null, Readable>;
  private readonly splitter = new FrameSplitter();
  private readonly clock = new EpochClock();
  private readonly stderrTail: string[] = [];
  private readonly ackWaiters = new Map<number, Array<{ resolve: () => void; reject: (e: Error) => void }>>();
  private readonly counters = { records: 0, bytes: 0, kernelDroppedRecords: 0, kernelDroppedBytes: 0 };
  private loaderDropped = 0;
  private undecodable = 0;
  private consumerFailures = 0;
  private readonly attached: string[] = [];
  /** Traced processes still alive, as far as the capture has seen: candidates for resumeStopped(). */
  private readonly livePids = new Set<number>();
  private readonly stdoutEnded: Promise<void>;
  private stopping: Promise<CaptureStats> | undefined;
  private closed = false;
  private resolveReady!: () => void;
  private rejectReady!: (error: Error) => void;

  constructor(
    loaderPath: string,
    args: string[],
    private readonly options: CaptureOptions,
    channel: RecordChannel,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // stdin and stderr are pipes: spawn() types them as possibly null only because stdout is not.
    this.child = spawn(loaderPath, args, {
      stdio: ['pipe', channel.loaderStdout, 'pipe'],
    }) as ChildProcessByStdio<Writable, Readable | null, Readable>;
    this.stdoutEnded = channel.attach(this.child, (chunk) =>
      this.splitter.push(chunk, (rec) => this.onRecord(rec)),
    );
    if (channel.fallbackReason)
      this.onLogLine(`reading the loader through a pipe (${channel.fallbackReason})`);
    // A dead loader must not take the host down through an EPIPE on its stdin.
    this.child.stdin.on('error', () => {});
    createInterface({ input: this.child.stderr }).on('line', (line) => this.onLogLine(line));

    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.fail(new Error(`capture: cannot start loader ${loaderPath}: ${error.message}`));
        resolve(-1);
      });
      this.child.on('close', (code, signal) => {
        const status = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
        if (!this.stopping) this.resumeStopped();
        this.fail(this.exitError(status));
        resolve(status);
      });
    });
  }

  track(pid: number): Promise<void> {
    if (!Number.isInteger(pid) || pid <= 0) return Promise.reject(new Error(`capture: invalid pid ${pid}`));
    if (this.closed) return Promise.reject(new Error('capture: loader is not running'));
    this.remember(pid);
    return new Promise((resolve, reject) => {
      const waiters = this.ackWaiters.get(pid) ?? [];
      waiters.push({ resolve, reject });
      this.ackWaiters.set(pid, waiters);
      this.child.stdin.write(`track ${pid}\n`);
    });
  }

  stats(): CaptureStats {
    return {
      ...this.counters,
      userDroppedRecords: this.userDropped(),
      attached: [...this.attached],
    };
  }

  stop(): Promise<CaptureStats> {
    this.stopping ??= this.drainAndStop();
    return this.stopping;
  }

  private async drainAndStop(): Promise<CaptureStats> {
    // EOF on stdin makes the loader drain the ring, write final stats and exit.
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.stdoutEnded;
    clearTimeout(timer);
    // Everything has arrived. The loader still detaches its probes, which waits on kernel grace
    // periods for a second or so: do not hold the host's exit for that.
    this.child.stderr.destroy();
    this.child.unref();
    this.splitter.finish();
    this.emitLoss(this.clock.toEpochNs(process.hrtime.bigint()));
    return this.stats();
  }

  private userDropped(): number {
    return this.loaderDropped + this.splitter.malformed + this.undecodable + this.consumerFailures;
  }

  private onRecord(rec: Buffer): void {
    let decoded: ReturnType<typeof decodeRecord>;
    try {
      decoded = decodeRecord(rec, this.clock.toEpochNs);
    } catch {
      this.undecodable++;
      return;
    }
    if (decoded.source === 'kernel') {
      this.counters.records++;
      this.counters.bytes += rec.length;
      this.deliver(decoded.event);
    } else {
      this.onLoaderRecord(decoded.record);
    }
  }

  private onLoaderRecord(record: LoaderRecord): void {
    switch (record.kind) {
      case 'clock':
        this.clock.update(record.realtimeMinusMonotonicNs);
        break;
      case 'ready':
        this.resolveReady();
        break;
      case 'attach':
        this.attached.push(record.path);
        break;
      case 'ack': {
        const waiters = this.ackWaiters.get(record.pid);
        if (record.op === 'track' && waiters) {
          waiters.shift()?.resolve();
          if (waiters.length === 0) this.ackWaiters.delete(record.pid);
        }
        break;
      }
      case 'stats':
        this.counters.kernelDroppedRecords = record.kernelDroppedRecords;
        this.counters.kernelDroppedBytes = record.kernelDroppedBytes;
        this.loaderDropped = record.loaderDroppedRecords;
        this.emitLoss(record.tsNs);
        break;
    }
  }

  private emitLoss(tsNs: bigint): void {
    const event: LossEvent = {
      kind: 'loss',
      tsNs,
      kernelDroppedRecords: this.counters.kernelDroppedRecords,
      kernelDroppedBytes: this.counters.kernelDroppedBytes,
      userDroppedRecords: this.userDropped(),
    };
    this.deliver(event);
  }

  private remember(pid: number): void {
    if (this.livePids.size >= MAX_REMEMBERED_PIDS) {
      this.livePids.delete(this.livePids.values().next().value as number);
    }
    this.livePids.add(pid);
  }

  /**
   * The loader died on its own (OOM kill, SIGKILL): a process the kernel stopped for it at exec or
   * at a libssl open would wait for its SIGCONT forever. Resume every traced process found stopped.
   * One the user stopped (job control) at that moment is resumed too: better than a frozen agent.
   */
  private resumeStopped(): void {
    let resumed = 0;
    for (const pid of this.livePids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        if (stat[stat.lastIndexOf(')') + 2] !== 'T') continue;
        process.kill(pid, 'SIGCONT');
        resumed++;
      } catch {
        // gone already
      }
    }
    if (resumed > 0) this.onLogLine(`loader died: resumed ${resumed} stopped traced process(es)`);
  }

  private deliver(event: CaptureEvent): void {
    if (event.kind === 'fork') this.remember(event.childPid);
    else if (event.kind === 'exec') this.remember(event.pid);
    else if (event.kind === 'exit') this.livePids.delete(event.pid);
    try {
      this.options.onEvent(event);
    } catch (error) {
      // A consumer bug must not stop capture; the event is counted as lost.
      this.consumerFailures++;
      this.onLogLine(`onEvent threw on a ${event.kind} event: ${(error as Error).message}`);
    }
  }

  private onLogLine(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    try {
      this.options.onLog?.(line);
    } catch {
      // logging must never break capture
    }
  }

  private exitError(status: number): Error {
    const tail = this.stderrTail.join('\n');
    const reason =
      status === EXIT_NO_PRIVILEGES
        ? 'missing privileges for eBPF (run as root or grant CAP_BPF and CAP_PERFMON)'
        : `loader exited with status ${status}`;
    return new Error(`capture: ${reason}${tail ? `\n${tail}` : ''}`);
  }

  /** The loader is gone: reject READY (if pending) and every outstanding track(). */
  private fail(error: Error): void {
    this.closed = true;
    this.rejectReady(error);
    for (const waiters of this.ackWaiters.values()) {
      for (const waiter of waiters) waiter.reject(error);
    }
    this.ackWaiters.clear();
  }
}
