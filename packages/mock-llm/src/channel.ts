import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from './ids.js';
import type { Provider } from './types.js';

export interface ChannelOptions {
  provider: Provider;
  chunkDelayMs: number;
  /** Destroy the socket after this many SSE events, or at the end if fewer (JSON bodies: after half). */
  resetAfterChunks?: number;
}

/**
 * Writes one HTTP response as JSON or as server-sent events, applying pacing and
 * mid-stream resets. Stops writing once the client has gone away.
 */
export class ResponseChannel {
  private eventsWritten = 0;
  private flushed: Promise<void> = Promise.resolve();

  constructor(
    private readonly res: ServerResponse,
    private readonly options: ChannelOptions,
  ) {}

  /** True once the socket is gone (client abort or injected reset): callers stop producing. */
  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  async json(status: number, body: unknown, headers: Record<string, string> = {}): Promise<void> {
    if (this.closed) return;
    const payload = JSON.stringify(body);
    this.res.writeHead(status, {
      ...this.providerHeaders(),
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    if (this.options.resetAfterChunks !== undefined) {
      this.write(payload.slice(0, Math.floor(payload.length / 2)));
      return this.reset();
    }
    this.res.end(payload);
  }

  openEventStream(): void {
    if (this.closed) return;
    this.res.writeHead(200, {
      ...this.providerHeaders(),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    // Real APIs send the headers before the first event; so does the mock, even under think time.
    this.res.flushHeaders();
  }

  /** Writes one SSE event; `data` objects are JSON-encoded, strings (e.g. `[DONE]`) sent raw. */
  async event(data: unknown, name?: string): Promise<void> {
    if (this.eventsWritten > 0 && this.options.chunkDelayMs > 0) await sleep(this.options.chunkDelayMs);
    if (this.closed) return;
    if (this.eventsWritten === this.options.resetAfterChunks) return this.reset();
    const line = `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
    this.write(name === undefined ? line : `event: ${name}\n${line}`);
    this.eventsWritten++;
  }

  /** Ends the stream; a pending reset fault still fires, even if the stream had fewer events. */
  async end(): Promise<void> {
    if (this.closed) return;
    if (this.options.resetAfterChunks !== undefined) return this.reset();
    this.res.end();
  }

  private write(data: string): void {
    this.flushed = new Promise((resolve) => this.res.write(data, () => resolve()));
  }

  /** Destroying at once would discard writes still buffered; the client must see them, then the reset. */
  private async reset(): Promise<void> {
    await this.flushed;
    this.res.destroy();
  }

  private providerHeaders(): Record<string, string> {
    const requestId = newId('req_');
    return this.options.provider === 'anthropic'
      ? { 'request-id': requestId }
      : { 'x-request-id': requestId };
  }
}
