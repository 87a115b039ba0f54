import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { countTokensEndpoint, messagesEndpoint } from './anthropic/messages.js';
import { defaultScript } from './brain.js';
import { ResponseChannel } from './channel.js';
import type { Endpoint } from './endpoint.js';
import { BadRequestError, errorBody } from './errors.js';
import { parseFaultHeader, statusFaultResponse } from './faults.js';
import { chatCompletionsEndpoint } from './openai/chat.js';
import { embeddingsEndpoint } from './openai/embeddings.js';
import { responsesEndpoint } from './openai/responses.js';
import { ReplyQueue } from './queue.js';
import {
  guessProvider,
  invalidJsonMessage,
  mergeShaping,
  parseShapingHeaders,
  recordRequest,
} from './request.js';
import { getServerCertificate } from './tls.js';
import { createTrustedFetch } from './trusted-fetch.js';
import type { MockLlmOptions, MockLlmServer, RecordedRequest, Script } from './types.js';

const ROUTES: Record<string, Endpoint> = {
  '/v1/chat/completions': chatCompletionsEndpoint,
  '/v1/responses': responsesEndpoint,
  '/v1/embeddings': embeddingsEndpoint,
  '/v1/messages': messagesEndpoint,
  '/v1/messages/count_tokens': countTokensEndpoint,
};

export async function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlmServer> {
  const host = options.host ?? '127.0.0.1';
  const certificate = (options.tls ?? true) ? await getServerCertificate(options.hostnames) : undefined;
  const requests: RecordedRequest[] = [];
  const queue = new ReplyQueue();
  let script: Script = options.script ?? defaultScript;
  const cache = {
    readInputTokens: options.cache?.readInputTokens ?? 0,
    creationInputTokens: options.cache?.creationInputTokens ?? 0,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Liveness probe for orchestrators; not an API call, so not recorded.
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const recorded = await recordRequest(req);
    requests.push(recorded);
    const pathname = new URL(recorded.path, 'http://mock').pathname;
    const endpoint = req.method === 'POST' ? ROUTES[pathname] : undefined;
    const provider = endpoint?.provider ?? guessProvider(pathname, req);
    const reject = (status: number, message: string) =>
      new ResponseChannel(res, { provider, chunkDelayMs: 0 }).json(
        status,
        errorBody(provider, status, message),
      );

    if (!endpoint) return reject(404, `Invalid URL (${req.method} ${recorded.path})`);
    if (recorded.json === undefined) return reject(400, invalidJsonMessage(provider));
    try {
      const headerFault = parseFaultHeader(req.headers['x-mock-fault']);
      const headerShaping = parseShapingHeaders(req);
      const prepared = endpoint.prepare(recorded.json);
      if (typeof prepared === 'string') return reject(400, prepared);

      const { fault, reply: queuedReply } = queue.take(headerFault, prepared.conversation !== undefined);
      const reply = queuedReply ?? (prepared.conversation ? script(prepared.conversation) : undefined);
      const shaping = mergeShaping(options.latency, reply, headerShaping);

      if (fault?.fault === 'reset') {
        req.socket.destroy();
        return;
      }
      const delay = (shaping.thinkMs ?? 0) + (fault?.fault === 'slow-first-byte' ? fault.ms : 0);
      if (delay > 0) await sleep(delay);
      const channel = new ResponseChannel(res, {
        provider,
        chunkDelayMs: shaping.chunkDelayMs ?? 0,
        resetAfterChunks: fault?.fault === 'reset-mid-stream' ? fault.afterChunks : undefined,
      });
      if (fault?.fault === 'status') {
        const { status, headers, body } = statusFaultResponse(fault, provider);
        return channel.json(status, body, headers);
      }
      await prepared.respond({ channel, reply, chunks: shaping.chunks, cache });
    } catch (error) {
      if (error instanceof BadRequestError) return reject(400, error.message);
      throw error;
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      // A script or reply bug: surface it to the client as a provider-shaped 500.
      if (res.headersSent) res.destroy();
      else {
        const provider = guessProvider(req.url ?? '', req);
        const message = `mock-llm internal error: ${error instanceof Error ? error.message : String(error)}`;
        void new ResponseChannel(res, { provider, chunkDelayMs: 0 }).json(
          500,
          errorBody(provider, 500, message),
        );
      }
    });
  };

  const server = certificate
    ? https.createServer({ key: certificate.key, cert: certificate.cert }, onRequest)
    : http.createServer(onRequest);
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');

  const { port } = server.address() as AddressInfo;
  const url = `${certificate ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const trusted = createTrustedFetch(certificate?.cert ?? '');

  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    caCert: certificate?.cert ?? '',
    caCertPath: certificate?.certPath ?? '',
    fetch: trusted.fetch,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    enqueue: (...items) => queue.push(items),
    setScript: (next) => {
      script = next;
    },
    close: async () => {
      trusted.close();
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      await closed;
    },
  };
}
