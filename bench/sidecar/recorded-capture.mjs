/**
 * A recorded capture for the decode benchmark: real `openai` client traffic against the mock LLM
 * (plain and streamed chat completions, several keep-alive connections in parallel), taken from a
 * TCP proxy on loopback. The proxy sees exactly the plaintext the client passes to SSL_write and
 * gets from SSL_read; its chunks, cut to TLS-record size, become `TlsDataEvent`s like the capture
 * stage emits.
 */
import { connect, createServer } from 'node:net';
import { startMockLlm } from '@agentsight/mock-llm';
import { OpenAI } from 'openai';

const WORDS =
  'the agent reads a file then calls a tool and writes a short answer about latency tokens and traces'.split(
    ' ',
  );
/** SSL_read/SSL_write move at most one TLS record: 16 KiB of plaintext per call. */
const TLS_RECORD_BYTES = 16 * 1024;
/** A pid no real process here has: the pipeline ignores events from its own pid. */
const RECORDED_PID = process.pid === 999_999 ? 999_998 : 999_999;
const epochOffsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

function startRecordingProxy(target, events) {
  let connections = 0;
  const server = createServer((app) => {
    const connId = `${RECORDED_PID}:1:${(++connections).toString(16)}`;
    const offsets = { write: 0, read: 0 };
    const recordCall = (direction, data) => {
      events.push({
        kind: 'tls_data',
        connId,
        direction,
        offset: offsets[direction],
        data: Buffer.from(data),
        callLength: data.length,
        truncated: false,
        pid: RECORDED_PID,
        tid: RECORDED_PID,
        ppid: 1,
        comm: 'node',
        tsNs: process.hrtime.bigint() + epochOffsetNs,
      });
      offsets[direction] += data.length;
    };
    const record = (direction, data) => {
      for (let at = 0; at < data.length; at += TLS_RECORD_BYTES) {
        recordCall(direction, data.subarray(at, at + TLS_RECORD_BYTES));
      }
    };
    const upstream = connect(Number(target.port), target.hostname);
    app.on('data', (data) => {
      record('write', data);
      upstream.write(data);
    });
    upstream.on('data', (data) => {
      record('read', data);
      app.write(data);
    });
    app.on('close', () => upstream.destroy());
    upstream.on('close', () => app.destroy());
    app.on('error', () => upstream.destroy());
    upstream.on('error', () => app.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Records `calls` chat completions (every other one streamed, one SSE chunk per word) over
 * `concurrency` parallel connections; each reply has `replyWords` words.
 */
export async function recordLlmCapture({ calls = 96, concurrency = 8, replyWords = 400 } = {}) {
  const mock = await startMockLlm({ tls: false });
  const text = Array.from({ length: replyWords }, (_, i) => WORDS[i % WORDS.length]).join(' ');
  mock.setScript(() => ({ text }));
  const events = [];
  const proxy = await startRecordingProxy(new URL(mock.url), events);
  const client = new OpenAI({
    apiKey: 'sk-bench-0123456789',
    baseURL: `http://127.0.0.1:${proxy.address().port}/v1`,
    maxRetries: 0,
  });
  const messages = [{ role: 'user', content: 'Summarise the repository layout and the test strategy.' }];
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      const stream = next++ % 2 === 1;
      if (!stream) {
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
        continue;
      }
      const chunks = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _chunk of chunks) {
        // read to the end, as an app does
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await mock.close();
  proxy.close();
  const bytes = events.reduce((sum, event) => sum + event.data.length, 0);
  return { events, bytes, exchanges: calls };
}
