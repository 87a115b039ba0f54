export { type DecoderOptions, TlsStreamDecoder } from './decoder.js';
export * from './types.js';
