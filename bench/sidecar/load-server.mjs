/**
 * (b) The HTTPS server of the saturating load: reads each POST body and answers with a body of the
 * same size, so both directions carry the payload. Keep-alive; never traced itself.
 *
 *   node load-server.mjs KEY.pem CERT.pem   → prints {"port":N} once listening
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [keyPath, certPath] = process.argv.slice(2);
const bodies = new Map();
const replyOfSize = (size) => {
  let body = bodies.get(size);
  if (!body) bodies.set(size, (body = Buffer.alloc(size, 'y')));
  return body;
};

const server = createServer(
  { key: readFileSync(keyPath), cert: readFileSync(certPath), keepAliveTimeout: 30_000 },
  (req, res) => {
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
    });
    req.on('end', () => {
      res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size })
        .end(replyOfSize(size));
    });
  },
);
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`),
);
process.on('SIGTERM', () => process.exit(0));
