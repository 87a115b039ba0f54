/**
 * The benchmark's servers, in their own process so their CPU is not charged to the measured client:
 * the mock LLM (plain HTTP on loopback, zero think time, streams of exactly 20 content chunks) and a
 * real OTLP/HTTP protobuf receiver the instrumented variants export to. Spans are counted per
 * `service.name` and then dropped, so memory stays flat over thousands of calls.
 */
import { startMockLlm } from '@agentsight/mock-llm';
import { startOtlpReceiver } from '@agentsight/testing';
import { serve } from '../lib/ipc.mjs';
import { REPLY_TEXT, STREAM_CONTENT_CHUNKS } from './workload.mjs';

const mock = await startMockLlm({ tls: false, latency: { chunks: STREAM_CONTENT_CHUNKS, thinkMs: 0 } });
mock.setScript(() => ({ text: REPLY_TEXT }));
const receiver = await startOtlpReceiver();

const spansByService = new Map();
function drain() {
  for (const span of receiver.spans) {
    const service = String(span.resource['service.name'] ?? 'unknown');
    spansByService.set(service, (spansByService.get(service) ?? 0) + 1);
  }
  const errors = receiver.errors;
  receiver.clear();
  mock.clearRequests();
  return errors;
}
const rejected = [];
setInterval(() => rejected.push(...drain()), 200).unref();

serve(
  {
    spanCounts: () => {
      rejected.push(...drain());
      return { spans: Object.fromEntries(spansByService), rejected };
    },
  },
  { openaiBaseURL: mock.openaiBaseURL, otlpURL: receiver.url },
);
