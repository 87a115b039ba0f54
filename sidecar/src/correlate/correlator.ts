import type {
  ConnectEvent,
  ExecEvent,
  ExitEvent,
  FileEvent,
  ForkEvent,
  TaskRef,
  TlsHandshakeEvent,
} from '../capture/events.js';
import type { DecodedRecord, HttpExchange, UndecodedConnection } from '../decode/types.js';
import {
  connectSpanEvent,
  fileSpanEvent,
  handshakeFailedSpanEvent,
  undecodedSpanEvent,
} from './activity-events.js';
import { joinExchange } from './exchange-join.js';
import { buildExchangeSpan } from './exchange-span.js';
import { joinProcess } from './process-join.js';
import { type ProcessSnapshot, readProcessSnapshot } from './process-snapshot.js';
import { buildProcessSpan } from './process-span.js';
import { ProcessTable } from './process-table.js';
import type { SpanEventRecord, SpanPlacement, SpanRecord } from './span-record.js';
import { newSpanId } from './trace-context.js';
import type { TrackedProcess } from './tracked-process.js';

/** Capture events that describe process activity (TLS data goes to the decoder instead). */
export type ActivityEvent = ExecEvent | ForkEvent | ExitEvent | FileEvent | ConnectEvent | TlsHandshakeEvent;

export interface CorrelatorOptions {
  /** Receives every finished span. */
  onSpan(span: SpanRecord): void;
  /** Put HTTP bodies and GenAI message content on spans. Default false. */
  captureContent?: boolean;
  /** Span events kept per process span; the rest are counted as dropped. Default 1000. */
  maxEventsPerProcess?: number;
  /**
   * Applied to command lines read from /proc (exec events arrive already redacted). Default: none.
   */
  redactArgv?: (argv: string[]) => string[];
  /** Source of facts about processes met mid-life; defaults to reading /proc. */
  snapshot?: (pid: number) => ProcessSnapshot | undefined;
}

export interface CorrelateStats {
  /** Process spans started (exec, fork, or met already running). */
  processes: number;
  /** HTTP exchanges turned into spans. */
  exchanges: number;
  /** Of those, recognised LLM calls. */
  llmCalls: number;
  /** Exchanges that carried a traceparent or x-trace-id header. */
  exchangesJoinedByHeader: number;
  /** Processes joined to an app trace through TRACEPARENT in their environment. */
  processesJoinedByEnv: number;
  undecodedConnections: number;
  fileEvents: number;
  networkEvents: number;
  /** Events beyond the per-process limit (also reported as the span's dropped-events count). */
  droppedSpanEvents: number;
  spans: number;
}

/** Where a record landed, for exporters that annotate raw records (JSONL). */
export type Placement = Pick<SpanPlacement, 'traceId' | 'spanId' | 'parentSpanId' | 'correlation'>;

/**
 * Turns process activity and decoded HTTP exchanges into spans joined to the application's
 * traces. One instance per capture session; not thread-safe (it runs on the event loop).
 */
export class Correlator {
  private readonly table = new ProcessTable();
  private readonly counters: CorrelateStats = {
    processes: 0,
    exchanges: 0,
    llmCalls: 0,
    exchangesJoinedByHeader: 0,
    processesJoinedByEnv: 0,
    undecodedConnections: 0,
    fileEvents: 0,
    networkEvents: 0,
    droppedSpanEvents: 0,
    spans: 0,
  };
  private readonly captureContent: boolean;
  private readonly maxEvents: number;
  private readonly snapshot: (pid: number) => ProcessSnapshot | undefined;
  private readonly redactArgv: (argv: string[]) => string[];
  private readonly exitWaiters = new Map<number, Array<() => void>>();

  constructor(private readonly options: CorrelatorOptions) {
    this.captureContent = options.captureContent ?? false;
    this.maxEvents = options.maxEventsPerProcess ?? 1000;
    this.snapshot = options.snapshot ?? readProcessSnapshot;
    this.redactArgv = options.redactArgv ?? ((argv) => argv);
  }

  /** Handles process activity; returns the placement of the process span it belongs to. */
  handleActivity(e: ActivityEvent): Placement {
    switch (e.kind) {
      case 'exec':
        return this.onExec(e).placement;
      case 'fork':
        return this.onFork(e).placement;
      case 'exit':
        return this.onExit(e).placement;
      case 'file':
        this.counters.fileEvents++;
        return this.addEvent(this.ensureProcess(e), fileSpanEvent(e)).placement;
      case 'connect':
        this.counters.networkEvents++;
        return this.addEvent(this.ensureProcess(e), connectSpanEvent(e)).placement;
      case 'tls_handshake':
        // Only handshakes that did not complete come here; the others go on their first exchange.
        this.counters.networkEvents++;
        return this.addEvent(this.ensureProcess(e), handshakeFailedSpanEvent(e)).placement;
    }
  }

  /** Handles a decoded (already redacted) record; returns where its span (or event) landed. */
  handleRecord(r: DecodedRecord): Placement {
    return r.kind === 'http' ? this.onExchange(r) : this.onUndecoded(r);
  }

  /**
   * Starts tracking a process that is already running (a `--pid` target, or the command the
   * CLI spawned), from /proc. Returns false when it does not exist.
   */
  adopt(pid: number, nowNs: bigint): boolean {
    if (this.table.getLive(pid)) return true;
    const snap = this.snapshot(pid);
    if (!snap) return false;
    this.startFromSnapshot(snap, nowNs);
    return true;
  }

  /** Resolves true once the process's exit was seen, false after `timeoutMs`. */
  waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
    const known = this.table.get(pid);
    if (known?.endNs !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const waiters = this.exitWaiters.get(pid) ?? [];
      waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.exitWaiters.set(pid, waiters);
    });
  }

  /** Ends the spans of processes still running (shutdown): they get `agentsight.process.running`. */
  finish(nowNs: bigint): void {
    for (const p of this.table.liveProcesses()) {
      this.table.markExited(p);
      this.emit(buildProcessSpan(p, nowNs, true));
    }
  }

  stats(): CorrelateStats {
    return { ...this.counters };
  }

  private emit(span: SpanRecord): void {
    this.counters.spans++;
    this.options.onSpan(span);
  }

  private newProcess(fields: Omit<TrackedProcess, 'placement' | 'events' | 'droppedEvents'>): TrackedProcess {
    const parent = this.parentOf(fields.pid, fields.ppid);
    const p: TrackedProcess = {
      ...fields,
      placement: joinProcess(newSpanId(), fields.env, parent),
      events: [],
      droppedEvents: 0,
    };
    this.counters.processes++;
    if (p.placement.correlation === 'env') this.counters.processesJoinedByEnv++;
    this.table.add(p);
    return p;
  }

  private parentOf(pid: number, ppid: number): TrackedProcess | undefined {
    return ppid > 0 && ppid !== pid ? this.table.get(ppid) : undefined;
  }

  private startFromSnapshot(snap: ProcessSnapshot, nowNs: bigint): TrackedProcess {
    return this.newProcess({
      pid: snap.pid,
      ppid: snap.ppid,
      comm: snap.comm,
      argv: this.redactArgv(snap.argv),
      argvTruncated: false,
      filename: snap.filename,
      startNs: snap.startNs > 0n && snap.startNs <= nowNs ? snap.startNs : nowNs,
      exitCode: null,
      signal: null,
      env: snap.env,
    });
  }

  /** The live process for an event, met for the first time if need be (/proc, else the event). */
  private ensureProcess(task: Pick<TaskRef, 'pid' | 'ppid' | 'comm' | 'tsNs'>): TrackedProcess {
    const known = this.table.getLive(task.pid);
    if (known) return known;
    const snap = this.snapshot(task.pid);
    if (snap) return this.startFromSnapshot(snap, task.tsNs);
    return this.newProcess({
      pid: task.pid,
      ppid: task.ppid,
      comm: task.comm,
      argv: [],
      argvTruncated: false,
      filename: '',
      startNs: task.tsNs,
      exitCode: null,
      signal: null,
      env: {},
    });
  }

  private onFork(e: ForkEvent): TrackedProcess {
    if (e.childPid === e.pid) return this.ensureProcess(e);
    const parent = this.ensureProcess(e);
    const stale = this.table.getLive(e.childPid);
    if (stale) this.endProcess(stale, e.tsNs, true);
    // fork copies the parent's image: same command line and environment until the child execs.
    return this.newProcess({
      pid: e.childPid,
      ppid: e.pid,
      comm: parent.comm,
      argv: parent.argv,
      argvTruncated: parent.argvTruncated,
      filename: parent.filename,
      startNs: e.tsNs,
      exitCode: null,
      signal: null,
      env: parent.env,
    });
  }

  private onExec(e: ExecEvent): TrackedProcess {
    const known = this.table.getLive(e.pid);
    if (!known) {
      return this.newProcess({
        pid: e.pid,
        ppid: e.ppid,
        comm: e.comm,
        argv: e.argv,
        argvTruncated: e.argvTruncated,
        filename: e.filename,
        startNs: e.tsNs,
        exitCode: null,
        signal: null,
        env: e.env,
      });
    }
    // Same pid, new program: the span keeps its id (others may point at it) and takes the new
    // image's identity; its trace is decided again from the new environment.
    known.comm = e.comm;
    known.argv = e.argv;
    known.argvTruncated = e.argvTruncated;
    known.filename = e.filename;
    if (e.ppid > 0) known.ppid = e.ppid;
    const wasEnv = known.placement.correlation === 'env';
    known.placement = joinProcess(
      known.placement.spanId,
      e.env,
      this.parentOf(known.pid, known.ppid),
      known.placement,
    );
    known.env = e.env;
    if (!wasEnv && known.placement.correlation === 'env') this.counters.processesJoinedByEnv++;
    return known;
  }

  private onExit(e: ExitEvent): TrackedProcess {
    const p = this.ensureProcess(e);
    p.exitCode = e.exitCode;
    p.signal = e.signal;
    this.endProcess(p, e.tsNs, false);
    return p;
  }

  private endProcess(p: TrackedProcess, endNs: bigint, running: boolean): void {
    p.endNs = endNs;
    this.table.markExited(p);
    this.emit(buildProcessSpan(p, endNs, running));
    const waiters = this.exitWaiters.get(p.pid);
    if (waiters) {
      this.exitWaiters.delete(p.pid);
      for (const wake of waiters) wake();
    }
  }

  private addEvent(p: TrackedProcess, event: SpanEventRecord): TrackedProcess {
    if (p.events.length < this.maxEvents) {
      p.events.push(event);
    } else {
      p.droppedEvents++;
      this.counters.droppedSpanEvents++;
    }
    return p;
  }

  /** The process an HTTP record belongs to: known (even exited), else met now. */
  private processFor(pid: number, comm: string, tsNs: bigint): TrackedProcess {
    return this.table.get(pid) ?? this.ensureProcess({ pid, ppid: 0, comm, tsNs });
  }

  private onExchange(x: HttpExchange): Placement {
    const process = this.processFor(x.pid, x.comm, x.timings.requestStartNs);
    const placement = joinExchange(x.request.headers, process);
    this.counters.exchanges++;
    if (x.llm) this.counters.llmCalls++;
    if (placement.correlation === 'traceparent' || placement.correlation === 'x-trace-id') {
      this.counters.exchangesJoinedByHeader++;
    }
    this.emit(buildExchangeSpan(x, placement, { captureContent: this.captureContent }));
    return placement;
  }

  private onUndecoded(r: UndecodedConnection): Placement {
    const process = this.processFor(r.pid, r.comm, r.tsNs);
    this.counters.undecodedConnections++;
    // An exited process's span is already gone: the connection is still counted and logged.
    if (process.endNs === undefined) this.addEvent(process, undecodedSpanEvent(r));
    return process.placement;
  }
}
