import type { LlmCall, SseMessage } from '../types.js';
import type { JsonObject } from './json.js';
import type { JsonProjector } from './json-projection.js';

/** One wire API (e.g. OpenAI chat completions): fills an `LlmCall` from the request and the response. */
export interface LlmApiDecoder {
  readRequest(call: LlmCall, body: JsonObject): void;
  readResponse(call: LlmCall, body: JsonObject): void;
  /** Streamed response: the server-sent events in order. */
  readStream(call: LlmCall, events: SseMessage[]): void;
}

/**
 * Runs `handle` on every SSE message whose data is a JSON object (skips `[DONE]`, pings, garbage).
 * `handle` gets the keys of the projector's shape only: it must read nothing else.
 */
export function forEachJsonEvent(
  events: SseMessage[],
  projector: JsonProjector,
  handle: (data: JsonObject, event: SseMessage) => void,
): void {
  for (const event of events) {
    const first = event.data.charCodeAt(0);
    if (first !== 0x7b) continue;
    const data = projector.parse(event.data);
    if (data) handle(data, event);
  }
}
