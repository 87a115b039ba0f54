import type {
  ConnectEvent,
  ExecEvent,
  ExitEvent,
  FileEvent,
  ForkEvent,
  TaskRef,
} from '../../src/capture/events.js';
import type { HttpExchange, LlmCall } from '../../src/decode/types.js';

/** Synthetic capture events and decoded records, shaped exactly like the stages produce them. */
const T0 = 1_750_000_000_000_000_000n;
export const ns = (ms: number): bigint => T0 + BigInt(ms) * 1_000_000n;

function task(pid: number, ppid: number, comm: string, ms: number): TaskRef {
  return { pid, tid: pid, ppid, comm, tsNs: ns(ms) };
}

export function exec(
  pid: number,
  ppid: number,
  argv: string[],
  ms: number,
  env: ExecEvent['env'] = {},
): ExecEvent {
  const filename = argv[0].startsWith('/') ? argv[0] : `/usr/bin/${argv[0]}`;
  const comm = filename.slice(filename.lastIndexOf('/') + 1).slice(0, 15);
  return { kind: 'exec', ...task(pid, ppid, comm, ms), filename, argv, argvTruncated: false, env };
}

export function fork(
  parent: number,
  grandparent: number,
  comm: string,
  child: number,
  ms: number,
): ForkEvent {
  return { kind: 'fork', ...task(parent, grandparent, comm, ms), childPid: child };
}

export function exit(
  pid: number,
  ppid: number,
  comm: string,
  ms: number,
  exitCode: number | null,
  signal: number | null = null,
): ExitEvent {
  return { kind: 'exit', ...task(pid, ppid, comm, ms), exitCode, signal };
}

export function fileOpen(pid: number, comm: string, path: string, ms: number, result: number): FileEvent {
  return { kind: 'file', ...task(pid, 0, comm, ms), op: 'open', path, flags: 0o100, result };
}

export function connect(pid: number, comm: string, address: string, port: number, ms: number): ConnectEvent {
  return { kind: 'connect', ...task(pid, 0, comm, ms), family: 'ipv4', address, port, result: -115 };
}

export interface ExchangeInit {
  pid: number;
  comm?: string;
  headers?: Record<string, string>;
  startMs: number;
  endMs: number;
  status?: number;
  llm?: LlmCall;
  requestBody?: string;
  responseBody?: string;
}

export function exchange(init: ExchangeInit): HttpExchange {
  const requestBody = Buffer.from(init.requestBody ?? '{"model":"gpt-4o-mini"}');
  const responseBody = Buffer.from(init.responseBody ?? '{"id":"chatcmpl-1"}');
  return {
    kind: 'http',
    connId: `${init.pid}:1:0xdead`,
    pid: init.pid,
    tid: init.pid,
    comm: init.comm ?? 'node',
    request: {
      method: 'POST',
      target: '/v1/chat/completions',
      httpVersion: 'HTTP/1.1',
      headers: { host: '127.0.0.1:8443', 'content-type': 'application/json', ...init.headers },
      body: requestBody,
      complete: true,
    },
    response: {
      status: init.status ?? 200,
      reason: 'OK',
      httpVersion: 'HTTP/1.1',
      headers: { 'content-type': 'application/json' },
      body: responseBody,
      complete: true,
    },
    timings: {
      requestStartNs: ns(init.startMs),
      requestEndNs: ns(init.startMs + 1),
      responseStartNs: ns(init.startMs + 5),
      responseEndNs: ns(init.endMs),
    },
    gaps: [],
    ...(init.llm ? { llm: init.llm } : {}),
  };
}

export function chatCall(overrides: Partial<LlmCall> = {}): LlmCall {
  return {
    provider: 'openai',
    operation: 'chat',
    api: 'chat.completions',
    stream: false,
    requestModel: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini-2024-07-18',
    responseId: 'chatcmpl-1',
    request: { maxTokens: 64, temperature: 0.2 },
    systemInstructions: 'You are terse.',
    inputMessages: [{ role: 'user', content: 'Say hi' }],
    outputText: 'Hi!',
    toolCalls: [],
    finishReasons: ['stop'],
    usage: { inputTokens: 12, outputTokens: 3 },
    ...overrides,
  };
}

export const APP_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const APP_SPAN_ID = '00f067aa0ba902b7';
export const TRACEPARENT = `00-${APP_TRACE_ID}-${APP_SPAN_ID}-01`;
