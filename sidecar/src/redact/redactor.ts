import { isAscii } from 'node:buffer';
import { singleLineDataSource } from '../decode/sse-source.js';
import type { DecodedRecord, HeaderMap, HttpExchange, LlmCall } from '../decode/types.js';
import { DEFAULT_SECRET_PATTERNS, REDACTED } from './secret-patterns.js';
import { createHeaderMatcher } from './sensitive-headers.js';
import { createTextRedactor } from './text-redactor.js';

export interface RedactOptions {
  /** Header names (any case) whose values are replaced, in addition to the defaults. */
  headerNames?: string[];
  /** Replaced with '[REDACTED]' in bodies, targets, header values, SSE data and LLM strings, after the defaults. */
  bodyPatterns?: RegExp[];
  /**
   * Bodies and SSE messages leave the pipeline only through JSONL records and content capture: with
   * neither, they are dropped here instead of scanned (what is not kept cannot leak). LLM fields
   * parsed from them are still redacted. Default false.
   */
  omitBodies?: boolean;
}

const NO_BODY = Buffer.alloc(0);

export type Redactor = (record: DecodedRecord) => DecodedRecord;

/**
 * Returns a function producing a redacted copy of a record; the input is not modified. Body buffers
 * and SSE messages without a match are shared with the input rather than copied.
 */
export function createRedactor(options: RedactOptions = {}): Redactor {
  const isSensitive = createHeaderMatcher(options.headerNames);
  const secrets = createTextRedactor([...DEFAULT_SECRET_PATTERNS, ...(options.bodyPatterns ?? [])]);
  const text = secrets.redact;
  const keep = (value: string): string => value;

  const headers = (map: HeaderMap, redactValue: (value: string) => string): HeaderMap => {
    const result: HeaderMap = {};
    for (const name in map) result[name] = isSensitive(name) ? REDACTED : redactValue(map[name]);
    return result;
  };

  /**
   * A body scanned as latin1 text, which maps bytes 1:1 to characters: an unmatched body survives
   * byte for byte, binary or not, and is shared rather than copied. `cleanText` is set when nothing
   * in it can match, so pieces of it (SSE data, JSON strings) need no scan of their own.
   */
  const body = (buffer: Buffer): { body: Buffer; cleanText?: string } => {
    if (buffer.length === 0) return { body: buffer, cleanText: '' };
    const original = buffer.toString('latin1');
    if (!secrets.mayMatch(original)) return { body: buffer, cleanText: original };
    const redacted = text(original);
    return { body: redacted === original ? buffer : Buffer.from(redacted, 'latin1') };
  };

  /** Redaction for texts that are mostly pieces of a body (identity when none can match). */
  const piecesRedactor = (
    texts: readonly string[],
    cleanBody: string | undefined,
  ): ((value: string) => string) =>
    (cleanBody === undefined ? secrets.mayMatchAny(texts) : secrets.mayMatchAnyOutside(texts, cleanBody))
      ? text
      : keep;

  /** Inputs come from the request body, outputs from the response body. */
  const llm = (call: LlmCall, requestText?: string, responseText?: string): LlmCall => {
    const inputs = call.inputMessages.map((message) => message.content);
    if (call.systemInstructions !== undefined) inputs.push(call.systemInstructions);
    const outputs = [call.outputText];
    for (const tool of call.toolCalls) outputs.push(tool.arguments);
    if (call.error) outputs.push(call.error.message);
    const redactInput = piecesRedactor(inputs, requestText);
    const redactOutput = piecesRedactor(outputs, responseText);
    const copy: LlmCall = {
      ...call,
      request: { ...call.request },
      inputMessages: call.inputMessages.map((message) => ({
        ...message,
        content: redactInput(message.content),
      })),
      outputText: redactOutput(call.outputText),
      toolCalls: call.toolCalls.map((tool) => ({ ...tool, arguments: redactOutput(tool.arguments) })),
      finishReasons: [...call.finishReasons],
      usage: { ...call.usage },
    };
    if (call.systemInstructions !== undefined) copy.systemInstructions = redactInput(call.systemInstructions);
    if (call.error) copy.error = { ...call.error, message: redactOutput(call.error.message) };
    return copy;
  };

  /** Redaction for the target and header values of an exchange: one scan of them all. */
  const headRedactor = (record: HttpExchange): ((value: string) => string) => {
    const texts = [record.request.target, ...Object.values(record.request.headers)];
    if (record.response) texts.push(...Object.values(record.response.headers));
    return secrets.mayMatchAny(texts) ? text : keep;
  };

  /** Bodies nobody exports: dropped, so LLM fields are scanned on their own (no clean text). */
  const omitted = (): { body: Buffer; cleanText?: string } => ({ body: NO_BODY });
  const redactBody = options.omitBodies ? omitted : body;

  const exchange = (record: HttpExchange): HttpExchange => {
    const requestBody = redactBody(record.request.body);
    const redactHead = headRedactor(record);
    const copy: HttpExchange = {
      ...record,
      request: {
        ...record.request,
        target: redactHead(record.request.target),
        headers: headers(record.request.headers, redactHead),
        body: requestBody.body,
      },
      timings: { ...record.timings },
      gaps: record.gaps.map((gap) => ({ ...gap })),
    };
    let responseText: string | undefined;
    if (record.response) {
      const responseBody = redactBody(record.response.body);
      responseText = responseBody.cleanText;
      // SSE messages are the body's text again: they go where the body goes.
      const { sse, ...response } = record.response;
      copy.response = {
        ...response,
        headers: headers(record.response.headers, redactHead),
        body: responseBody.body,
      };
      if (sse && !options.omitBodies) {
        // Single-line data cut from a clean body are pieces of its text between non-word characters;
        // the data were cut from the UTF-8 text, the scan read latin1: the same text when ASCII.
        const cutFromClean =
          secrets.contextFree &&
          responseText !== undefined &&
          singleLineDataSource(sse) === record.response.body &&
          isAscii(record.response.body);
        const redactData = cutFromClean
          ? keep
          : piecesRedactor(
              sse.map((message) => message.data),
              responseText,
            );
        // Messages without a match are shared, like bodies: records are never modified downstream.
        copy.response.sse =
          redactData === keep
            ? sse.slice()
            : sse.map((message) => ({ ...message, data: redactData(message.data) }));
      }
    }
    // Streamed outputs are joined from many events: they are no piece of the body to look for.
    if (record.llm)
      copy.llm = llm(record.llm, requestBody.cleanText, record.llm.stream ? undefined : responseText);
    return copy;
  };

  return (record) => (record.kind === 'http' ? exchange(record) : { ...record });
}
