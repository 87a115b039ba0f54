import type { LlmCall, SseMessage } from '../types.js';
import type { JsonObject } from './json.js';

/** One wire API (e.g. OpenAI chat completions): fills an `LlmCall` from the request and the response. */
export interface LlmApiDecoder {
  readRequest(call: LlmCall, body: JsonObject): void;
  readResponse(call: LlmCall, body: JsonObject): void;
  /** Streamed response: the server-sent events in order. */
  readStream(call: LlmCall, events: SseMessage[]): void;
}

/** Runs `handle` on every SSE message whose data is a JSON object (skips `[DONE]`, pings, garbage). */
export function forEachJsonEvent(
  events: SseMessage[],
  handle: (data: JsonObject, event: SseMessage) => void,
): void {
  for (const event of events) {
    const first = event.data.charCodeAt(0);
    if (first !== 0x7b) continue;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      continue;
    }
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) handle(data as JsonObject, event);
  }
}
