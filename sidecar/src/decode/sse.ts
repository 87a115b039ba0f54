import type { SseMessage } from './types.js';

export interface SseParseResult {
  messages: SseMessage[];
  /** The stream stopped inside an event (no terminating blank line): that event is not in `messages`. */
  endedMidEvent: boolean;
  /** Every message's data is the value of one line of the text (none joins several `data` lines). */
  singleLineData: boolean;
}

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * Splits a whole `text/event-stream` body into messages (WHATWG server-sent events rules: CRLF, LF
 * or CR line ends; `data` lines joined with LF; comments and `retry` ignored; an event is dispatched
 * at a blank line, and one without data is dropped). Unlike a browser, `id` is reported only on the
 * message that carried it.
 */
export function parseSse(text: string): SseParseResult {
  const messages: SseMessage[] = [];
  // Most servers use LF only: indexOf finds those line ends several times faster than the regex.
  const lfOnly = !text.includes('\r');
  LINE_BREAK.lastIndex = 0;
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  let pending = false;
  let singleLineData = true;
  let start = 0;
  for (;;) {
    let end: number;
    let next: number;
    if (lfOnly) {
      end = text.indexOf('\n', start);
      next = end + 1;
    } else {
      const found = LINE_BREAK.exec(text);
      end = found ? found.index : -1;
      next = LINE_BREAK.lastIndex;
    }
    // The piece after the last line break is unterminated; it only matters for endedMidEvent.
    if (end === -1) return { messages, endedMidEvent: pending || start < text.length, singleLineData };
    const lineStart = start;
    start = next;
    if (end === lineStart) {
      if (data.length > 0) {
        if (data.length > 1) singleLineData = false;
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
    if (text.charCodeAt(lineStart) === 0x3a) continue;
    // Nearly every line is `data: …` or `event: …`: take its value without the generic field split.
    if (text.startsWith('data:', lineStart)) {
      data.push(text.slice(valueStart(text, lineStart + 5, end), end));
      pending = true;
      continue;
    }
    if (text.startsWith('event:', lineStart)) {
      event = text.slice(valueStart(text, lineStart + 6, end), end);
      pending = true;
      continue;
    }
    const line = text.slice(lineStart, end);
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 0x20) value = value.slice(1);
    pending = true;
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  }
}

/** Where a field's value starts, `afterColon` being the index after its colon (one space is dropped). */
function valueStart(text: string, afterColon: number, lineEnd: number): number {
  return afterColon < lineEnd && text.charCodeAt(afterColon) === 0x20 ? afterColon + 1 : afterColon;
}
