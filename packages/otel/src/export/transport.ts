import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ExportResponse, IExporterTransport } from '@opentelemetry/otlp-exporter-base';
import type { convertLegacyHttpOptions } from '@opentelemetry/otlp-exporter-base/node-http';
import { SCOPE_NAME, SCOPE_VERSION } from '../internal/version.js';

export type OtlpHttpConfig = ReturnType<typeof convertLegacyHttpOptions>;

const MAX_ATTEMPTS = 5;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
const gzipAsync = promisify(gzip);

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
function retryAfterMillis(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function responseOutcome(res: IncomingMessage, body: Buffer): ExportResponse {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) return { status: 'success', data: body };
  const error = new Error(`OTLP export failed: HTTP ${status} ${res.statusMessage ?? ''}`.trim());
  if (RETRYABLE_STATUS.has(status)) {
    return { status: 'retryable', error, retryInMillis: retryAfterMillis(res.headers['retry-after']) };
  }
  return { status: 'failure', error };
}

function networkOutcome(error: Error & { code?: string }): ExportResponse {
  return RETRYABLE_NETWORK_ERRORS.has(error.code ?? '')
    ? { status: 'retryable', error }
    : { status: 'failure', error };
}

/** Waits `ms`, or less if `stop` fires first. */
function backoffSleep(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * OTLP/HTTP transport with the stock exporter's retry policy (exponential backoff with jitter,
 * at most 5 attempts, Retry-After honoured, all within the export timeout) plus one rule: once
 * `exiting` is aborted (the app is done or was signalled), a failed attempt is final and any
 * backoff in progress ends. With the stock transport, a finished process whose collector was
 * unreachable stayed alive through the whole retry schedule (about 9 s by default).
 */
export class ExitFriendlyHttpTransport implements IExporterTransport {
  private agent?: Promise<HttpAgent>;

  constructor(
    private readonly config: OtlpHttpConfig,
    private readonly exiting: AbortSignal,
  ) {}

  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    const deadline = Date.now() + timeoutMillis;
    let backoff = INITIAL_BACKOFF_MS;
    let outcome = await this.post(data, timeoutMillis);
    for (let attempt = 1; attempt < MAX_ATTEMPTS && outcome.status === 'retryable'; attempt++) {
      if (this.exiting.aborted) break;
      const jitter = 1 + (Math.random() * 0.4 - 0.2);
      const wait = outcome.retryInMillis ?? Math.min(backoff * jitter, MAX_BACKOFF_MS);
      backoff *= 1.5;
      if (wait >= deadline - Date.now()) break;
      await backoffSleep(wait, this.exiting);
      if (this.exiting.aborted) break;
      outcome = await this.post(data, deadline - Date.now());
    }
    return outcome;
  }

  shutdown(): void {}

  private async post(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    try {
      const url = new URL(this.config.url);
      this.agent ??= Promise.resolve(
        this.config.agentFactory(url.protocol) as HttpAgent | Promise<HttpAgent>,
      );
      const headers: Record<string, string> = {
        ...(await this.config.headers()),
        'User-Agent': [this.config.userAgent, `${SCOPE_NAME}/${SCOPE_VERSION}`].filter(Boolean).join(' '),
      };
      let body: Uint8Array = data;
      if (this.config.compression === 'gzip') {
        body = await gzipAsync(data);
        headers['Content-Encoding'] = 'gzip';
      }
      return await this.request(url, await this.agent, headers, body, timeoutMillis);
    } catch (error) {
      return { status: 'failure', error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  private request(
    url: URL,
    agent: HttpAgent,
    headers: Record<string, string>,
    body: Uint8Array,
    timeoutMillis: number,
  ): Promise<ExportResponse> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send(url, { method: 'POST', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            resolve({ status: 'failure', error: new Error('OTLP response body too large') });
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve(responseOutcome(res, Buffer.concat(chunks))));
        res.on('error', (error) => resolve(networkOutcome(error)));
      });
      req.setTimeout(Math.max(1, timeoutMillis), () => {
        req.destroy();
        resolve({ status: 'retryable', error: new Error('OTLP export request timed out') });
      });
      req.on('error', (error) => resolve(networkOutcome(error)));
      req.end(body);
    });
  }
}
