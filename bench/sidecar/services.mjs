/**
 * Servers for bench:sidecar, in their own (untraced) process: the mock LLM over HTTPS with 50 ms
 * think time and SSE replies paced like a model, and an OTLP sink the sidecar exports to. The sink
 * answers 200 and discards, so its cost is not charged to the sidecar's throughput.
 */
import { createServer } from 'node:http';
import { startMockLlm } from '@agentsight/mock-llm';
import { serve } from '../lib/ipc.mjs';

const mock = await startMockLlm({ latency: { thinkMs: 50, chunks: 20, chunkDelayMs: 2 } });
mock.setScript(() => ({
  text: 'I will list the files, read the config, and summarise what the tool printed.',
}));
setInterval(() => mock.clearRequests(), 1000).unref();

let exportRequests = 0;
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    exportRequests++;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));

serve(
  { exportRequests: () => exportRequests },
  {
    openaiBaseURL: mock.openaiBaseURL,
    caCertPath: mock.caCertPath,
    otlpEndpoint: `http://127.0.0.1:${sink.address().port}`,
  },
);
