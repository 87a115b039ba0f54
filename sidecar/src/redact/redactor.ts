import type { DecodedRecord, HeaderMap, HttpExchange, LlmCall } from '../decode/types.js';
import { DEFAULT_SECRET_PATTERNS, REDACTED } from './secret-patterns.js';
import { createHeaderMatcher } from './sensitive-headers.js';
import { createTextRedactor } from './text-redactor.js';

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
  const secrets = createTextRedactor([...DEFAULT_SECRET_PATTERNS, ...(options.bodyPatterns ?? [])]);
  const text = secrets.redact;
  const keep = (value: string): string => value;
  /** Redaction for a group of strings, or the identity when none of them has a match (one scan). */
  const textsRedactor = (texts: readonly string[]): ((value: string) => string) =>
    secrets.mayMatchAny(texts) ? text : keep;

  const headers = (map: HeaderMap): HeaderMap => {
    const redactValue = textsRedactor(Object.values(map));
    const result: HeaderMap = {};
    for (const [name, value] of Object.entries(map))
      result[name] = isSensitive(name) ? REDACTED : redactValue(value);
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
    const redact = textsRedactor([
      ...call.inputMessages.map((message) => message.content),
      call.outputText,
      ...call.toolCalls.map((tool) => tool.arguments),
      call.systemInstructions ?? '',
      call.error?.message ?? '',
    ]);
    const copy: LlmCall = {
      ...call,
      request: { ...call.request },
      inputMessages: call.inputMessages.map((message) => ({ ...message, content: redact(message.content) })),
      outputText: redact(call.outputText),
      toolCalls: call.toolCalls.map((tool) => ({ ...tool, arguments: redact(tool.arguments) })),
      finishReasons: [...call.finishReasons],
      usage: { ...call.usage },
    };
    if (call.systemInstructions !== undefined) copy.systemInstructions = redact(call.systemInstructions);
    if (call.error) copy.error = { ...call.error, message: redact(call.error.message) };
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
      const { sse } = record.response;
      if (sse) {
        const redactData = textsRedactor(sse.map((message) => message.data));
        copy.response.sse = sse.map((message) => ({ ...message, data: redactData(message.data) }));
      }
    }
    if (record.llm) copy.llm = llm(record.llm);
    return copy;
  };

  return (record) => (record.kind === 'http' ? exchange(record) : { ...record });
}
