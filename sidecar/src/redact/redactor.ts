import type { DecodedRecord, HeaderMap, HttpExchange, LlmCall } from '../decode/types.js';
import { asGlobalPatterns, DEFAULT_SECRET_PATTERNS, REDACTED, redactText } from './secret-patterns.js';
import { createHeaderMatcher } from './sensitive-headers.js';

export interface RedactOptions {
  /** Header names (any case) whose values are replaced, in addition to the defaults. */
  headerNames?: string[];
  /** Replaced with '[REDACTED]' in bodies, targets, header values, SSE data and LLM strings, after the defaults. */
  bodyPatterns?: RegExp[];
}

export type Redactor = (record: DecodedRecord) => DecodedRecord;

/**
 * Returns a function producing a redacted copy of a record; the input is not modified. Body buffers
 * without a match are shared with the input rather than copied.
 */
export function createRedactor(options: RedactOptions = {}): Redactor {
  const isSensitive = createHeaderMatcher(options.headerNames);
  const patterns = [
    ...asGlobalPatterns(DEFAULT_SECRET_PATTERNS),
    ...asGlobalPatterns(options.bodyPatterns ?? []),
  ];
  const text = (value: string) => redactText(value, patterns);

  const headers = (map: HeaderMap): HeaderMap => {
    const result: HeaderMap = {};
    for (const [name, value] of Object.entries(map))
      result[name] = isSensitive(name) ? REDACTED : text(value);
    return result;
  };

  // latin1 maps bytes 1:1 to characters, so an unmatched body survives byte-for-byte, binary or not.
  const body = (buffer: Buffer): Buffer => {
    if (buffer.length === 0) return buffer;
    const original = buffer.toString('latin1');
    const redacted = text(original);
    return redacted === original ? buffer : Buffer.from(redacted, 'latin1');
  };

  const llm = (call: LlmCall): LlmCall => {
    const copy: LlmCall = {
      ...call,
      request: { ...call.request },
      inputMessages: call.inputMessages.map((message) => ({ ...message, content: text(message.content) })),
      outputText: text(call.outputText),
      toolCalls: call.toolCalls.map((tool) => ({ ...tool, arguments: text(tool.arguments) })),
      finishReasons: [...call.finishReasons],
      usage: { ...call.usage },
    };
    if (call.systemInstructions !== undefined) copy.systemInstructions = text(call.systemInstructions);
    if (call.error) copy.error = { ...call.error, message: text(call.error.message) };
    return copy;
  };

  const exchange = (record: HttpExchange): HttpExchange => {
    const copy: HttpExchange = {
      ...record,
      request: {
        ...record.request,
        target: text(record.request.target),
        headers: headers(record.request.headers),
        body: body(record.request.body),
      },
      timings: { ...record.timings },
      gaps: record.gaps.map((gap) => ({ ...gap })),
    };
    if (record.response) {
      copy.response = {
        ...record.response,
        headers: headers(record.response.headers),
        body: body(record.response.body),
      };
      if (record.response.sse) {
        copy.response.sse = record.response.sse.map((message) => ({ ...message, data: text(message.data) }));
      }
    }
    if (record.llm) copy.llm = llm(record.llm);
    return copy;
  };

  return (record) => (record.kind === 'http' ? exchange(record) : { ...record });
}
