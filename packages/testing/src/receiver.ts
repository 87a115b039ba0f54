import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeContentEncoding, RejectedRequest, readRawBody } from './http/request-body.js';
import { decodeMetricsRequest, decodeTraceRequest, type OtlpEncoding } from './otlp/decode-request.js';
import { InvalidOtlpError } from './otlp/values.js';
import { ProtobufDecodeError } from './protobuf/wire-reader.js';
import type { ReceivedMetric, ReceivedRequest, ReceivedSpan } from './types.js';
import { waitForItems } from './wait-for.js';

export interface OtlpReceiverOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Answer every OTLP request with this HTTP status, to simulate a failing collector. */
  failWith?: number;
}

type Signal = 'traces' | 'metrics';
const ROUTES: Record<string, Signal> = { '/v1/traces': 'traces', '/v1/metrics': 'metrics' };
const DEFAULT_WAIT_MS = 10_000;

type Decoded = { signal: 'traces'; items: ReceivedSpan[] } | { signal: 'metrics'; items: ReceivedMetric[] };

interface Reply {
  status: number;
  contentType?: string;
  body?: string;
}

/**
 * A real OTLP/HTTP receiver on 127.0.0.1 for tests: accepts protobuf or JSON exports at /v1/traces and
 * /v1/metrics (optionally gzip/deflate/br compressed), decodes them and keeps the flattened result.
 * Create it with `startOtlpReceiver()`.
 */
export class OtlpReceiver {
  private storedSpans: ReceivedSpan[] = [];
  private storedMetrics: ReceivedMetric[] = [];
  private storedRequests: ReceivedRequest[] = [];
  private storedErrors: string[] = [];
  private failure: number | undefined;
  private readonly changes = new EventEmitter().setMaxListeners(0);

  /** @internal use startOtlpReceiver() */
  constructor(
    private readonly server: Server,
    failWith: number | undefined,
  ) {
    this.setFailure(failWith);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => {
        // Only reachable if writing the response itself failed (client went away).
        this.storedErrors.push(`response failed: ${(error as Error).message}`);
      });
    });
  }

  /** Base URL, e.g. 'http://127.0.0.1:4318' — suitable for OTEL_EXPORTER_OTLP_ENDPOINT. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  get tracesUrl(): string {
    return `${this.url}/v1/traces`;
  }
  get metricsUrl(): string {
    return `${this.url}/v1/metrics`;
  }

  /** All spans received so far, flattened across requests (a copy). */
  get spans(): ReceivedSpan[] {
    return [...this.storedSpans];
  }
  /** All metrics received so far, one entry per metric per request (a copy). */
  get metrics(): ReceivedMetric[] {
    return [...this.storedMetrics];
  }
  /** Every HTTP request, including failed and rejected ones (a copy). */
  get requests(): ReceivedRequest[] {
    return [...this.storedRequests];
  }
  /** Why requests were rejected (bad encoding, undecodable body, unknown path…), in arrival order. */
  get errors(): string[] {
    return [...this.storedErrors];
  }

  waitForSpans(
    predicate: (spans: ReceivedSpan[]) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<ReceivedSpan[]> {
    return waitForItems({
      changes: this.changes,
      read: () => this.spans,
      predicate,
      timeoutMs,
      describeTimeout: (spans, lastError) =>
        this.describeTimeout(
          'waitForSpans',
          timeoutMs,
          'span',
          spans.map((s) => s.name),
          lastError,
        ),
    });
  }

  waitForMetrics(
    predicate: (metrics: ReceivedMetric[]) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<ReceivedMetric[]> {
    return waitForItems({
      changes: this.changes,
      read: () => this.metrics,
      predicate,
      timeoutMs,
      describeTimeout: (metrics, lastError) =>
        this.describeTimeout(
          'waitForMetrics',
          timeoutMs,
          'metric',
          metrics.map((m) => m.name),
          lastError,
        ),
    });
  }

  /** Start (status) or stop (undefined) answering OTLP requests with an error status. */
  setFailure(status: number | undefined): void {
    if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 599)) {
      throw new RangeError(`failure status must be an HTTP status code, got ${status}`);
    }
    this.failure = status;
  }

  /** Forget everything received so far (spans, metrics, requests, errors). */
  clear(): void {
    this.storedSpans = [];
    this.storedMetrics = [];
    this.storedRequests = [];
    this.storedErrors = [];
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      // Exporters keep connections alive; without this close() would wait for their idle timeout.
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    let raw: Buffer = Buffer.alloc(0);
    let decoded: Decoded | undefined;
    let reply: Reply;
    try {
      raw = await readRawBody(req);
      ({ decoded, reply } = await this.process(method, path, req, raw));
    } catch (error) {
      const status = error instanceof RejectedRequest ? error.status : isDecodeError(error) ? 400 : 500;
      const message = `${method} ${path}: ${(error as Error).message}`;
      this.storedErrors.push(message);
      reply = { status, contentType: 'text/plain; charset=utf-8', body: message };
    }
    // Record the request before publishing its data, so a test woken by waitFor* sees both.
    this.storedRequests.push({ method, path, headers: req.headers, bytes: raw, status: reply.status });
    // concat, not push(...items): a large export would overflow the argument limit.
    if (decoded?.signal === 'traces') this.storedSpans = this.storedSpans.concat(decoded.items);
    if (decoded?.signal === 'metrics') this.storedMetrics = this.storedMetrics.concat(decoded.items);
    if (decoded !== undefined) this.changes.emit('change');

    res.writeHead(reply.status, reply.contentType ? { 'content-type': reply.contentType } : {});
    res.end(reply.body);
  }

  private async process(
    method: string,
    path: string,
    req: IncomingMessage,
    raw: Buffer,
  ): Promise<{ decoded?: Decoded; reply: Reply }> {
    const signal = ROUTES[path];
    if (signal === undefined) {
      throw new RejectedRequest(404, 'not an OTLP path (expected /v1/traces or /v1/metrics)');
    }
    if (method !== 'POST') throw new RejectedRequest(405, 'OTLP export requires POST');
    if (this.failure !== undefined) return { reply: { status: this.failure } };

    const encoding = encodingOf(req.headers['content-type']);
    const body = await decodeContentEncoding(raw, req.headers['content-encoding']);
    const decoded: Decoded =
      signal === 'traces'
        ? { signal, items: decodeTraceRequest(body, encoding) }
        : { signal, items: decodeMetricsRequest(body, encoding) };
    // An empty Export*ServiceResponse: zero bytes in protobuf, `{}` in JSON.
    const reply: Reply =
      encoding === 'protobuf'
        ? { status: 200, contentType: 'application/x-protobuf', body: '' }
        : { status: 200, contentType: 'application/json', body: '{}' };
    return { decoded, reply };
  }

  private describeTimeout(
    method: string,
    timeoutMs: number,
    noun: string,
    namesSeen: string[],
    lastPredicateError: unknown,
  ): string {
    const parts = [
      `${method} timed out after ${timeoutMs} ms; ${namesSeen.length} ${noun}(s) received: [${namesSeen.join(', ')}]`,
      `${this.storedRequests.length} request(s)`,
    ];
    if (this.storedErrors.length > 0) parts.push(`rejected: ${this.storedErrors.join(' | ')}`);
    if (lastPredicateError !== undefined) {
      parts.push(
        `predicate last threw: ${(lastPredicateError as Error)?.message ?? String(lastPredicateError)}`,
      );
    }
    return parts.join('; ');
  }
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const server = createServer();
  const receiver = new OtlpReceiver(server, options.failWith);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return receiver;
}

function encodingOf(contentType: string | undefined): OtlpEncoding {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mime === 'application/x-protobuf' || mime === 'application/protobuf') return 'protobuf';
  if (mime === 'application/json') return 'json';
  throw new RejectedRequest(415, `unsupported content-type '${contentType ?? ''}'`);
}

function isDecodeError(error: unknown): boolean {
  return error instanceof ProtobufDecodeError || error instanceof InvalidOtlpError;
}
