import childProcess from 'node:child_process';
import { startOtlpReceiver } from '@agentsight/testing';
import { type ProxyTracerProvider, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { init, traceAgent } from '../../src/index.js';

/** The internal method every async spawn variant goes through (not in Node's typings). */
const prototypeSpawn = () => (childProcess.ChildProcess.prototype as unknown as { spawn: unknown }).spawn;

describe('handle.shutdown()', () => {
  it('exports what is pending, removes every patch and hook, and allows a fresh init()', async () => {
    const rx = await startOtlpReceiver();
    const originalSpawnSync = childProcess.spawnSync;
    const originalSpawn = prototypeSpawn();
    const sigtermListeners = process.listenerCount('SIGTERM');

    const handle = init({ endpoint: rx.url, metrics: false, instrumentations: { genai: false } });
    expect(childProcess.spawnSync).not.toBe(originalSpawnSync);
    expect(prototypeSpawn()).not.toBe(originalSpawn);
    expect(process.listenerCount('SIGTERM')).toBe(sigtermListeners + 1);
    const traceId = traceAgent('in-process', (span) => span.spanContext().traceId);

    await handle.shutdown();
    expect(rx.spans.map((s) => [s.name, s.traceId])).toEqual([['invoke_agent in-process', traceId]]);
    expect(childProcess.spawnSync).toBe(originalSpawnSync);
    expect(prototypeSpawn()).toBe(originalSpawn);
    expect(process.listenerCount('SIGTERM')).toBe(sigtermListeners);
    expect(traceAgent('after', (span) => span.isRecording())).toBe(false);

    const again = init({ endpoint: rx.url, metrics: false, instrumentations: { genai: false } });
    expect(again).not.toBe(handle);
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(again.tracerProvider);
    await again.shutdown();
    await rx.close();
  });
});
