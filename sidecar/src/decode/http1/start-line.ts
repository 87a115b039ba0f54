/** HTTP/1.x start lines, and the cheap checks used to classify a stream and to re-sync after a gap. */

export interface RequestLine {
  method: string;
  target: string;
  httpVersion: string;
}

export interface StatusLine {
  status: number;
  reason: string;
  httpVersion: string;
}

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(1\.[01])$/;
const STATUS_LINE = /^HTTP\/(1\.[01]) ([1-9]\d\d)(?: (.*))?$/;

export function parseRequestLine(line: string): RequestLine | undefined {
  const match = REQUEST_LINE.exec(line);
  if (!match || match[1] === 'PRI') return undefined;
  return { method: match[1], target: match[2], httpVersion: match[3] };
}

export function parseStatusLine(line: string): StatusLine | undefined {
  const match = STATUS_LINE.exec(line);
  if (!match) return undefined;
  return { status: Number(match[2]), reason: match[3] ?? '', httpVersion: match[1] };
}

/** First byte of an HTTP/1 request (a method token) or response (`HTTP/`): an ASCII letter. */
export function isPlausibleFirstByte(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

const RESPONSE_MARK = Buffer.from('HTTP/1.', 'latin1');
const REQUEST_MARK = Buffer.from(' HTTP/1.', 'latin1');
const LF = 0x0a;

/**
 * Position of the next line in `buf` (at or after `from`, which is treated as a line start) that is
 * a valid start line of the given kind, or -1. A candidate must be a complete line to be checked;
 * `incompleteFrom` says where bytes worth keeping for the next search begin (-1: none).
 */
export function findStartLine(
  buf: Buffer,
  from: number,
  kind: 'request' | 'response',
): { found: number; incompleteFrom: number } {
  let search = from;
  while (search < buf.length) {
    const mark = buf.indexOf(kind === 'response' ? RESPONSE_MARK : REQUEST_MARK, search);
    if (mark === -1) break;
    let lineStart: number;
    if (kind === 'response') {
      lineStart = mark;
      if (mark > from && buf[mark - 1] !== LF) {
        search = mark + 1;
        continue;
      }
    } else {
      const prevLf = buf.lastIndexOf(LF, mark);
      lineStart = prevLf < from ? from : prevLf + 1;
    }
    const lineEnd = buf.indexOf(LF, mark);
    if (lineEnd === -1) return { found: -1, incompleteFrom: lineStart };
    const line = buf.toString('latin1', lineStart, buf[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd);
    const ok = kind === 'response' ? parseStatusLine(line) : parseRequestLine(line);
    if (ok) return { found: lineStart, incompleteFrom: -1 };
    search = mark + 1;
  }
  // A start line may begin in this buffer and end in the next one: keep a short tail.
  const tailStart = buf.lastIndexOf(LF);
  const keepFrom = Math.max(from, tailStart + 1, buf.length - 8192);
  return { found: -1, incompleteFrom: keepFrom < buf.length ? keepFrom : -1 };
}
