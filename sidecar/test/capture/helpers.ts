import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getServerCertificate } from '@agentsight/mock-llm';
import {
  type CaptureEvent,
  type CaptureHandle,
  type CaptureOptions,
  checkCapturePrivileges,
  findLoader,
  startCapture,
} from '../../src/capture/index.js';

/**
 * Capture tests need root and a BPF-capable kernel. Anywhere else they are skipped LOUDLY;
 * as root, a loader that fails to load fails the tests.
 */
export function captureAvailable(file: string): boolean {
  const isRoot = process.getuid?.() === 0;
  const privileges = checkCapturePrivileges();
  if (isRoot && privileges.ok) return true;
  const reason = isRoot ? privileges.message : 'not running as root';
  console.warn(`\n!!!!!!!! SKIPPING ${file}: ${reason} — eBPF capture NOT tested !!!!!!!!\n`);
  return false;
}

/** Collects events and lets tests wait for the ones they expect. */
export class EventLog {
  readonly events: CaptureEvent[] = [];
  private waiters: Array<() => void> = [];

  readonly onEvent = (event: CaptureEvent): void => {
    // TLS data is a view into a read buffer the capture reuses.
    this.events.push(event.kind === 'tls_data' ? { ...event, data: Buffer.from(event.data) } : event);
    for (const wake of this.waiters.splice(0)) wake();
  };

  of<K extends CaptureEvent['kind']>(kind: K, pid?: number): Extract<CaptureEvent, { kind: K }>[] {
    return this.events.filter(
      (e): e is Extract<CaptureEvent, { kind: K }> =>
        e.kind === kind && (pid === undefined || ('pid' in e && e.pid === pid)),
    );
  }

  /** Resolves with the first event matching `pred`; rejects after `timeoutMs`. */
  waitFor<T extends CaptureEvent>(
    pred: (e: CaptureEvent) => e is T,
    what: string,
    timeoutMs?: number,
  ): Promise<T>;
  waitFor(pred: (e: CaptureEvent) => boolean, what: string, timeoutMs?: number): Promise<CaptureEvent>;
  async waitFor(pred: (e: CaptureEvent) => boolean, what: string, timeoutMs = 5000): Promise<CaptureEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForExit(pid: number, timeoutMs = 10_000) {
    return this.waitFor(
      (e): e is Extract<CaptureEvent, { kind: 'exit' }> => e.kind === 'exit' && e.pid === pid,
      `exit of ${pid}`,
      timeoutMs,
    );
  }
}

export async function startLoggedCapture(
  options: Partial<CaptureOptions> = {},
): Promise<{ capture: CaptureHandle; log: EventLog; logs: string[] }> {
  const log = new EventLog();
  const logs: string[] = [];
  const capture = await startCapture({
    target: {},
    ...options,
    onEvent: log.onEvent,
    onLog: (line) => logs.push(line),
  });
  return { capture, log, logs };
}

/**
 * Starts `cmd args` behind a shell that waits for a newline before exec'ing it, tracks the
 * shell's pid, then releases it: how the CLI starts commands so no event is missed.
 */
export async function runTracked(
  capture: CaptureHandle,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ pid: number; child: ChildProcessWithoutNullStreams; stdout: Promise<string> }> {
  const child = spawn('/bin/sh', ['-c', 'read _; exec "$0" "$@"', cmd, ...args], { env, stdio: 'pipe' });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`spawn ${cmd} failed`);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const stdout = new Promise<string>((resolve, reject) => {
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}`)),
    );
  });
  stdout.catch(() => {}); // callers that expect a failure await it themselves
  await capture.track(pid);
  child.stdin.write('\n');
  return { pid, child, stdout };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Reassembles one direction of one connection by offset; throws on gaps or overlaps. */
export function reassemble(events: CaptureEvent[], connId: string, direction: 'write' | 'read'): Buffer {
  const chunks = events
    .filter((e) => e.kind === 'tls_data' && e.connId === connId && e.direction === direction)
    .map((e) => e as Extract<CaptureEvent, { kind: 'tls_data' }>)
    .sort((a, b) => a.offset - b.offset);
  let next = 0;
  for (const c of chunks) {
    if (c.offset !== next)
      throw new Error(`${connId} ${direction}: gap/overlap at ${next} (chunk at ${c.offset})`);
    if (c.truncated) throw new Error(`${connId} ${direction}: truncated chunk at ${c.offset}`);
    next += c.data.length;
  }
  return Buffer.concat(chunks.map((c) => c.data));
}

export { findLoader };

export interface TestTlsServer {
  server: Server;
  port: number;
  /** The CA file clients need (NODE_EXTRA_CA_CERTS, curl --cacert, SSL_CERT_FILE). */
  certPath: string;
  close(): void;
}

/** An HTTPS server on 127.0.0.1 with the mock LLM's certificate; `handle` sees the whole request body. */
export async function startTlsServer(
  handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void,
): Promise<TestTlsServer> {
  const tls = await getServerCertificate();
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => handle(req, Buffer.concat(parts), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    certPath: tls.certPath,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}
