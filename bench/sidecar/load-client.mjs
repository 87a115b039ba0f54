/**
 * (b) The load generator: CONCURRENCY keep-alive connections, each POSTing BODY_BYTES and reading
 * the same-sized reply, back to back. After a 2 s warm-up (long enough for a loader started
 * beside it to attach; see capture-only.mjs) it counts completed requests for
 * DURATION_MS and writes {requests, bytes, seconds, completed, window} to OUT.json, where
 * `completed` counts every request including warm-up and drain (what a capture of this process
 * must account for) and `window` is the counting window: wall-clock start and end, and the CPU
 * time the client spent in it.
 *
 *   NODE_EXTRA_CA_CERTS=CERT node load-client.mjs OUT.json URL BODY_BYTES CONCURRENCY DURATION_MS
 */
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';

const [out, url, bodyBytes, concurrency, durationMs] = process.argv.slice(2);
const body = Buffer.alloc(Number(bodyBytes), 'x');
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const WARMUP_MS = 2000;

function post() {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-length': body.length } }, (res) => {
      let received = 0;
      res.on('data', (chunk) => {
        received += chunk.length;
      });
      res.on('end', () =>
        res.statusCode === 200 ? resolve(received) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

let counting = false;
let stopping = false;
let completed = 0;
const totals = { requests: 0, bytes: 0 };
async function connectionLoop() {
  while (!stopping) {
    const received = await post();
    completed++;
    if (counting) {
      totals.requests++;
      totals.bytes += body.length + received;
    }
  }
}

const loops = Array.from({ length: Number(concurrency) }, connectionLoop);
await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
counting = true;
const start = process.hrtime.bigint();
const window = { startMs: Date.now(), cpu: process.cpuUsage() };
await new Promise((resolve) => setTimeout(resolve, Number(durationMs)));
counting = false;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const windowCpu = process.cpuUsage(window.cpu);
const windowEndMs = Date.now();
stopping = true;
await Promise.all(loops);
agent.destroy();
writeFileSync(
  out,
  JSON.stringify({
    ...totals,
    seconds,
    completed,
    window: { startMs: window.startMs, endMs: windowEndMs, cpuMicros: windowCpu.user + windowCpu.system },
  }),
);
