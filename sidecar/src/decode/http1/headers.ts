import { ownCopy } from '../own-copy.js';
import type { HeaderMap } from '../types.js';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Valid names seen, with their lower-case key: the same few dozen names come with every message. */
const knownNames = new Map<string, string>();
const MAX_KNOWN_NAMES = 1024;

/** The lower-case key of a header name, or undefined when it is not a valid token. */
function headerKey(name: string): string | undefined {
  const known = knownNames.get(name);
  if (known !== undefined) return known;
  if (!HEADER_NAME.test(name)) return undefined;
  const key = name.toLowerCase();
  if (knownNames.size >= MAX_KNOWN_NAMES) knownNames.clear();
  knownNames.set(ownCopy(name), ownCopy(key));
  return key;
}

/** Adds one header line to `headers`; returns an error text when the line is not a valid field. */
export function addHeaderLine(headers: HeaderMap, line: string): string | undefined {
  const first = line.charCodeAt(0);
  if (first === 0x20 || first === 0x09) return 'obsolete header line folding';
  const colon = line.indexOf(':');
  if (colon <= 0) return 'header line without a name';
  const key = headerKey(line.slice(0, colon));
  if (key === undefined) return 'invalid header name';
  const value = line.slice(colon + 1).trim();
  const previous = headers[key];
  if (previous === undefined) headers[key] = value;
  else headers[key] = `${previous}${key === 'set-cookie' ? '\n' : ', '}${value}`;
  return undefined;
}

/** Comma-separated header tokens, lower-cased (e.g. `Transfer-Encoding: gzip, chunked`). */
export function headerTokens(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token.length > 0);
}
