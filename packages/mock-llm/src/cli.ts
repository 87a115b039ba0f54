#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startMockLlm } from './server.js';

const USAGE = 'usage: mock-llm [--port N] [--http] [--host H] [--hostname NAME]... [--ca-out FILE]';

async function main(): Promise<void> {
  // Its own comm, so a sidecar tracing `--comm node` never mistakes the server side for the agent.
  process.title = 'mock-llm';
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      http: { type: 'boolean', default: false },
      hostname: { type: 'string', multiple: true, default: [] },
      'ca-out': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid --port ${values.port}`);

  const server = await startMockLlm({
    port,
    host: values.host,
    tls: !values.http,
    hostnames: values.hostname,
  });
  // Lets clients in other containers or processes trust the certificate (NODE_EXTRA_CA_CERTS).
  if (values['ca-out'] && server.caCert) writeFileSync(values['ca-out'], server.caCert);
  process.stdout.write(`${JSON.stringify({ url: server.url, caCertPath: server.caCertPath })}\n`);

  const shutdown = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`mock-llm: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(1);
});
