import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

export interface TrustedFetch {
  fetch: typeof fetch;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

/**
 * A WHATWG `fetch` over node:http/https that trusts `caCert` (a PEM string) in addition to the
 * system roots. Node's global fetch only reads NODE_EXTRA_CA_CERTS at process start and offers no
 * public per-call CA option, so in-process clients use this instead.
 */
export function createTrustedFetch(caCert: string): TrustedFetch {
  const agent = new https.Agent({ keepAlive: true, ca: caCert ? [caCert] : undefined });
  const httpAgent = new http.Agent({ keepAlive: true });
  const trustedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return new Promise<Response>((resolve, reject) => {
      const outgoing = (secure ? https : http).request(url, {
        method: request.method,
        headers,
        agent: secure ? agent : httpAgent,
        signal: request.signal,
      });
      outgoing.on('error', reject);
      outgoing.on('response', (incoming) => {
        const responseHeaders = new Headers();
        for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
          responseHeaders.append(incoming.rawHeaders[i], incoming.rawHeaders[i + 1]);
        }
        const status = incoming.statusCode ?? 500;
        const hasBody = request.method !== 'HEAD' && status !== 204 && status !== 304;
        if (!hasBody) incoming.resume();
        resolve(
          new Response(hasBody ? (Readable.toWeb(incoming) as ReadableStream<Uint8Array>) : null, {
            status,
            statusText: incoming.statusMessage,
            headers: responseHeaders,
          }),
        );
      });
      outgoing.end(body);
    });
  };
  return {
    fetch: trustedFetch as typeof fetch,
    close() {
      agent.destroy();
      httpAgent.destroy();
    },
  };
}
