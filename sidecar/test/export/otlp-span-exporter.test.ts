import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { startOtlpReceiver } from '@agentsight/testing';
import { describe, expect, it } from 'vitest';
import { tracesUrlFromEndpoint } from '../../src/export/otlp-config.js';
import { OtlpSpanExporter } from '../../src/export/otlp-span-exporter.js';
import { sidecarResource } from '../../src/export/resource.js';
import { spanRecord, T0 } from './span-fixtures.js';

const SCOPE = { name: '@agentsight/sidecar', version: 'test' };

function exporterTo(
  endpoint: string,
  options: Record<string, number> = {},
  logs: string[] = [],
): OtlpSpanExporter {
  return new OtlpSpanExporter({ endpoint, ...options }, sidecarResource('sidecar-under-test'), SCOPE, (l) =>
    logs.push(l),
  );
}

describe('OtlpSpanExporter', () => {
  it('sends spans with the ids, parent, times, events and status we computed', async () => {
    const rx = await startOtlpReceiver();
    try {
      const exporter = exporterTo(rx.url, { flushIntervalMs: 50 });
      exporter.enqueue(spanRecord('chat gpt-4o-mini', { traceState: 'vendor=abc' }));
      exporter.enqueue(spanRecord('process curl', { spanId: 'bbbbbbbbbbbbbbbb', parentSpanId: undefined }));
      const spans = await rx.waitForSpans((all) => all.length >= 2, 5000);
      const chat = spans.find((s) => s.name === 'chat gpt-4o-mini')!;
      expect(chat).toMatchObject({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: 'aaaaaaaaaaaaaaaa',
        parentSpanId: '00f067aa0ba902b7',
        traceState: 'vendor=abc',
        kindName: 'CLIENT',
        startTimeUnixNano: T0,
        endTimeUnixNano: T0 + 1_500_000_000n,
        status: { code: 2, message: 'boom' },
      });
      expect(chat.attributes).toMatchObject({
        'gen_ai.request.model': 'gpt-4o-mini',
        'process.command_args': ['a', 'b'],
      });
      expect(chat.events).toEqual([
        { name: 'gen_ai.first_chunk', timeUnixNano: T0 + 250_000_000n, attributes: { n: 1 } },
      ]);
      expect(chat.resource['service.name']).toBe('sidecar-under-test');
      expect(chat.scope.name).toBe('@agentsight/sidecar');
      expect(spans.find((s) => s.name === 'process curl')!.parentSpanId).toBe('');
      await exporter.shutdown(2000);
      expect(exporter.stats()).toMatchObject({
        exportedSpans: 2,
        droppedSpans: 0,
        failedSpans: 0,
        rejectedSpans: 0,
        queuedSpans: 0,
      });
    } finally {
      await rx.close();
    }
  });

  it('does not send spans the app did not sample', async () => {
    const rx = await startOtlpReceiver();
    try {
      const exporter = exporterTo(rx.url, { flushIntervalMs: 20 });
      exporter.enqueue(spanRecord('unsampled', { traceFlags: 0 }));
      exporter.enqueue(spanRecord('sampled'));
      await exporter.shutdown(2000);
      expect(rx.spans.map((s) => s.name)).toEqual(['sampled']);
      expect(exporter.stats().unsampledSpans).toBe(1);
    } finally {
      await rx.close();
    }
  });

  it('counts failures against a dead collector and shuts down promptly', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const exporter = exporterTo(`http://127.0.0.1:${port}`, { flushIntervalMs: 10, timeoutMs: 500 }, logs);
    for (let i = 0; i < 10; i++) exporter.enqueue(spanRecord(`s${i}`));
    const started = Date.now();
    await exporter.shutdown(3000);
    expect(Date.now() - started).toBeLessThan(3500);
    const stats = exporter.stats();
    expect(stats.exportedSpans).toBe(0);
    expect(stats.failedSpans + stats.droppedSpans).toBe(10);
    expect(logs.some((l) => l.startsWith('OTLP export failed'))).toBe(true);
  });

  it('bounds the queue while a collector hangs, and bounds shutdown by its deadline', async () => {
    const sockets: Socket[] = [];
    const hanging: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const { port } = hanging.address() as { port: number };
    try {
      const exporter = exporterTo(`http://127.0.0.1:${port}`, {
        maxQueueSpans: 5,
        maxBatchSpans: 2,
        flushIntervalMs: 10,
        timeoutMs: 10_000,
      });
      for (let i = 0; i < 20; i++) exporter.enqueue(spanRecord(`s${i}`));
      // One batch of 2 is in flight (never answered); 5 wait; 13 were dropped at the door.
      expect(exporter.stats()).toMatchObject({ queuedSpans: 5, droppedSpans: 13 });
      const started = Date.now();
      await exporter.shutdown(300);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(exporter.stats()).toMatchObject({ exportedSpans: 0, droppedSpans: 18, queuedSpans: 0 });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});

describe('OtlpSpanExporter transport', () => {
  it('counts and logs the spans a collector reports rejected in a partial success', async () => {
    // ExportTraceServiceResponse { partial_success { rejected_spans: 2, error_message: "quota" } }
    const message = Buffer.from('quota');
    const partial = Buffer.concat([Buffer.from([0x08, 0x02, 0x12, message.length]), message]);
    const response = Buffer.concat([Buffer.from([0x0a, partial.length]), partial]);
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const logs: string[] = [];
      const exporter = exporterTo(
        `http://127.0.0.1:${port}`,
        { flushIntervalMs: 10, maxBatchSpans: 3 },
        logs,
      );
      for (let i = 0; i < 6; i++) exporter.enqueue(spanRecord(`s${i}`));
      await exporter.shutdown(3000);
      expect(exporter.stats()).toMatchObject({ exportedSpans: 6, rejectedSpans: 4, failedSpans: 0 });
      // One line per distinct reason, not one per batch.
      expect(logs).toEqual(['OTLP collector rejected 2 spans of a batch: quota']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps the standard transport settings: headers, and compression from the environment', async () => {
    const rx = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION = 'gzip';
    try {
      const exporter = new OtlpSpanExporter(
        { endpoint: rx.url, headers: { 'x-tenant': 'team-a' }, flushIntervalMs: 10 },
        sidecarResource('sidecar-under-test'),
        SCOPE,
        () => {},
      );
      exporter.enqueue(spanRecord('compressed'));
      await exporter.shutdown(2000);
      const [request] = rx.requests;
      expect(request.headers).toMatchObject({
        'content-encoding': 'gzip',
        'content-type': 'application/x-protobuf',
        'x-tenant': 'team-a',
      });
      expect(rx.spans.map((s) => s.name)).toEqual(['compressed']);
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION;
      await rx.close();
    }
  });
});

describe('tracesUrlFromEndpoint', () => {
  it('appends /v1/traces to a base endpoint and keeps a full traces URL', () => {
    expect(tracesUrlFromEndpoint('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrlFromEndpoint('http://collector:4318/otel/')).toBe('http://collector:4318/otel/v1/traces');
    expect(tracesUrlFromEndpoint('https://h/otel/v1/traces')).toBe('https://h/otel/v1/traces');
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
