export { createRedactor, type RedactOptions, type Redactor } from './redactor.js';
export { DEFAULT_SECRET_PATTERNS, REDACTED } from './secret-patterns.js';
export { DEFAULT_SENSITIVE_HEADERS } from './sensitive-headers.js';
