/**
 * Which body the messages of an event stream were cut from, remembered for the redactor, which runs
 * on the same record right after the decoder: when each message's data is a single line of a body
 * it has found clean, the messages need no scan of their own. Keyed weakly by the message lists of
 * records, which are never modified once emitted.
 */
import type { SseMessage } from './types.js';

const sources = new WeakMap<readonly SseMessage[], Buffer>();

/**
 * Records that the data of every one of `messages` is the value of a single line of the UTF-8 text
 * of `body`: it follows `:` or a space and ends at a line break, so it is a piece of that text
 * between non-word characters.
 */
export function noteSingleLineData(messages: readonly SseMessage[], body: Buffer): void {
  sources.set(messages, body);
}

/** The body `messages` were cut from as single lines (see noteSingleLineData), if known. */
export function singleLineDataSource(messages: readonly SseMessage[]): Buffer | undefined {
  return sources.get(messages);
}
