import type { SseMessage } from './types.js';

export interface SseParseResult {
  messages: SseMessage[];
  /** The stream stopped inside an event (no terminating blank line): that event is not in `messages`. */
  endedMidEvent: boolean;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Splits a whole `text/event-stream` body into messages (WHATWG server-sent events rules: CRLF, LF
 * or CR line ends; `data` lines joined with LF; comments and `retry` ignored; an event is dispatched
 * at a blank line, and one without data is dropped). Unlike a browser, `id` is reported only on the
 * message that carried it.
 */
export function parseSse(text: string): SseParseResult {
  const messages: SseMessage[] = [];
  // Most servers use LF only; a plain split is several times faster than the regex.
  const lines = text.includes('\r') ? text.split(LINE_BREAK) : text.split('\n');
  // The piece after the last line break is unterminated; it only matters for endedMidEvent.
  const last = lines.pop() ?? '';
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  let pending = false;
  for (const line of lines) {
    if (line === '') {
      if (data.length > 0) {
        const message: SseMessage = { data: data.length === 1 ? data[0] : data.join('\n') };
        if (event !== undefined) message.event = event;
        if (id !== undefined) message.id = id;
        messages.push(message);
      }
      data = [];
      event = undefined;
      id = undefined;
      pending = false;
      continue;
    }
    if (line.charCodeAt(0) === 0x3a) continue;
    // Nearly every line is `data: …`: take its value without the generic field split.
    if (line.startsWith('data:')) {
      data.push(line.charCodeAt(5) === 0x20 ? line.slice(6) : line.slice(5));
      pending = true;
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    pending = true;
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  }
  return { messages, endedMidEvent: pending || last !== '' };
}
