/**
 * A copy of `text` that shares no memory with it. V8 makes substrings views of their parent, so a
 * short string cut from a large text (a header name from a message head, a key from an event) keeps
 * the whole text alive for as long as a long-lived cache holds it.
 */
export function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
