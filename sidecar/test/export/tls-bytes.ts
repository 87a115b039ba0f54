import type { TlsCloseEvent, TlsDataEvent, TlsDirection } from '../../src/capture/events.js';
import { ns } from '../correlate/synthetic-events.js';

/** Real HTTP/1.1 bytes as the capture stage would deliver them from SSL_write/SSL_read. */
export class TlsConnection {
  private readonly offsets: Record<TlsDirection, number> = { write: 0, read: 0 };

  constructor(
    readonly connId: string,
    private readonly pid: number,
    private readonly comm: string,
  ) {}

  data(direction: TlsDirection, text: string | Buffer, ms: number): TlsDataEvent {
    const data = Buffer.isBuffer(text) ? text : Buffer.from(text);
    const offset = this.offsets[direction];
    this.offsets[direction] += data.length;
    return {
      kind: 'tls_data',
      pid: this.pid,
      tid: this.pid,
      ppid: 1,
      comm: this.comm,
      tsNs: ns(ms),
      connId: this.connId,
      direction,
      offset,
      data,
      callLength: data.length,
      truncated: false,
    };
  }

  close(ms: number): TlsCloseEvent {
    return {
      kind: 'tls_close',
      pid: this.pid,
      tid: this.pid,
      ppid: 1,
      comm: this.comm,
      tsNs: ns(ms),
      connId: this.connId,
    };
  }
}

export function httpRequest(target: string, headers: Record<string, string>, body: string): string {
  const lines = Object.entries({
    host: '127.0.0.1:8443',
    'content-type': 'application/json',
    ...headers,
  }).map(([k, v]) => `${k}: ${v}`);
  return `POST ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export function httpResponse(status: number, body: string, headers: Record<string, string> = {}): string {
  const lines = Object.entries({ 'content-type': 'application/json', ...headers }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  return `HTTP/1.1 ${status} OK\r\n${lines.join('\r\n')}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export function chatCompletionBody(content: string): string {
  return JSON.stringify({
    id: 'chatcmpl-abc',
    object: 'chat.completion',
    created: 1750000000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 },
  });
}
