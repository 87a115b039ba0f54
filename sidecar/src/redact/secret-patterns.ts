/**
 * Common credential formats, found anywhere in bodies and strings. Order matters where formats
 * overlap: the Anthropic key (`sk-ant-`) is matched before the generic `sk-` key.
 *
 * Anchors are characters rare in prose and JSON, shared by several formats where possible (one search
 * serves them all), and never a letter that fills whole bodies: a search stops at every occurrence of
 * its first character, and placeholder bodies of `x` or base64 runs of `A` are common.
 */

/**
 * A credential format, with what makes it cheap to rule out: every match holds `anchor` exactly
 * `offset` characters after its start (in any letter case when `ignoreCase`; then `anchor` is lower
 * case ASCII and the pattern has no `u` or `v` flag), preceded by one of the characters of `before`
 * when given (then `offset` is at least 1). Looking for the anchor costs far less than running the
 * pattern over the whole text.
 */
export interface SecretFormat {
  pattern: RegExp;
  anchor: string;
  offset: number;
  ignoreCase?: boolean;
  before?: string;
}

export const DEFAULT_SECRET_FORMATS: readonly SecretFormat[] = [
  { pattern: /sk-ant-[A-Za-z0-9_-]{8,}/g, anchor: '-', offset: 2, before: 'k' },
  { pattern: /\bsk-[A-Za-z0-9_-]{16,}/g, anchor: '-', offset: 2, before: 'k' },
  { pattern: /\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi, anchor: 'bearer', offset: 0, ignoreCase: true },
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, anchor: 'I', offset: 2, before: 'KS' },
  {
    pattern: /\baws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}/gi,
    anchor: '_',
    offset: 3,
    before: 'sS',
  },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}/g, anchor: '_', offset: 3, before: 'pousr' },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{22,}/g, anchor: '_', offset: 6, before: 'b' },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}/g, anchor: 'I', offset: 1, before: 'A' },
  { pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, anchor: '-', offset: 4, before: 'abprs' },
  {
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    anchor: 'J',
    offset: 2,
    before: 'y',
  },
  {
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    anchor: 'BEGIN ',
    offset: 5,
    before: '-',
  },
];

export const DEFAULT_SECRET_PATTERNS: readonly RegExp[] = DEFAULT_SECRET_FORMATS.map(
  (format) => format.pattern,
);

export const REDACTED = '[REDACTED]';
