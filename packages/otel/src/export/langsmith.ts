import type { Attributes } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import {
  getSharedConfigurationFromEnvironment,
  httpAgentFactoryFromOptions,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ResolvedLangSmith } from '../config/resolve.js';
import { PROTOBUF_HEADERS, protobufSpanExporter } from './protobuf-exporters.js';

const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_LANGSMITH_SPAN_KIND = 'langsmith.span.kind';
export const ATTR_LANGSMITH_SESSION_NAME = 'langsmith.trace.session_name';

const KIND_BY_OPERATION: Record<string, string> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  embeddings: 'embedding',
  execute_tool: 'tool',
  invoke_agent: 'chain',
  create_agent: 'chain',
  invoke_workflow: 'chain',
  retrieval: 'retriever',
};

/** LangSmith's run type for a span, from its GenAI operation; undefined leaves LangSmith's default. */
export function langSmithSpanKind(attributes: Attributes): string | undefined {
  const operation = attributes[ATTR_GEN_AI_OPERATION_NAME];
  return typeof operation === 'string' ? KIND_BY_OPERATION[operation] : undefined;
}

/**
 * The same span with the LangSmith attributes added. A view rather than a copy: everything else
 * (span context, times, events) is read through the prototype, and the span seen by the other
 * exporters is left untouched, so LangSmith-only attributes never reach the main backend.
 */
function withLangSmithAttributes(span: ReadableSpan, project: string): ReadableSpan {
  const kind = langSmithSpanKind(span.attributes);
  const attributes: Attributes = { ...span.attributes, [ATTR_LANGSMITH_SESSION_NAME]: project };
  if (kind) attributes[ATTR_LANGSMITH_SPAN_KIND] = kind;
  return Object.create(span, { attributes: { value: attributes, enumerable: true } }) as ReadableSpan;
}

/**
 * OTLP/protobuf to `{endpoint}/otel/v1/traces`, configured explicitly rather than from the
 * environment: the stock configuration merges OTEL_EXPORTER_OTLP_HEADERS into every request and
 * would hand the main collector's credentials to LangSmith.
 */
class LangSmithSpanExporter implements SpanExporter {
  private readonly otlp: SpanExporter;

  constructor(
    private readonly settings: ResolvedLangSmith,
    exiting: AbortSignal,
  ) {
    const { timeoutMillis, compression } = getSharedConfigurationFromEnvironment('TRACES');
    const headers = {
      ...PROTOBUF_HEADERS,
      'x-api-key': settings.apiKey,
      'Langsmith-Project': settings.project,
    };
    this.otlp = protobufSpanExporter(
      {
        url: `${settings.endpoint}/otel/v1/traces`,
        headers: async () => headers,
        timeoutMillis: timeoutMillis ?? 10_000,
        compression: compression ?? 'none',
        concurrencyLimit: 30,
        agentFactory: httpAgentFactoryFromOptions({ keepAlive: true }),
      },
      exiting,
    );
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const project = this.settings.project;
    this.otlp.export(
      spans.map((span) => withLangSmithAttributes(span, project)),
      resultCallback,
    );
  }

  forceFlush(): Promise<void> {
    return this.otlp.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.otlp.shutdown();
  }
}

export function langSmithSpanProcessor(settings: ResolvedLangSmith, exiting: AbortSignal): SpanProcessor {
  return new BatchSpanProcessor(new LangSmithSpanExporter(settings, exiting));
}
