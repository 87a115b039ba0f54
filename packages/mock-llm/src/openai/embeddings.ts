import { createHash } from 'node:crypto';
import { type Endpoint, isObject } from '../endpoint.js';
import { countPromptTokens } from '../tokens.js';

const DEFAULT_DIMENSIONS = 1536;

/** `POST /v1/embeddings`: deterministic unit vectors seeded by each input. */
export const embeddingsEndpoint: Endpoint = {
  provider: 'openai',
  prepare(body) {
    if (!isObject(body) || typeof body.model !== 'string') return 'you must provide a model parameter';
    const inputs = normalizeInputs(body.input);
    if (!inputs) return "'input' must be a string, an array of strings, or token arrays.";
    const dimensions = body.dimensions ?? DEFAULT_DIMENSIONS;
    if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
      return "'dimensions' must be a positive integer.";
    }
    const base64 = body.encoding_format === 'base64';
    const model = body.model;
    return {
      async respond({ channel }) {
        const tokens = inputs.reduce((sum, input) => sum + countPromptTokens(input), 0);
        await channel.json(200, {
          object: 'list',
          data: inputs.map((input, index) => {
            const vector = embed(input, dimensions);
            return {
              object: 'embedding',
              index,
              embedding: base64 ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector),
            };
          }),
          model,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        });
      },
    };
  },
};

function normalizeInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return [input.join(' ')];
  if (input.every((item) => typeof item === 'string')) return input;
  if (input.every((item) => Array.isArray(item))) return input.map((tokens) => tokens.join(' '));
  return undefined;
}

/** A unit vector whose components come from SHA-256 in counter mode over the input. */
export function embed(input: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  let block = Buffer.alloc(0);
  for (let i = 0; i < dimensions; i++) {
    const offset = (i % 8) * 4;
    if (offset === 0)
      block = createHash('sha256')
        .update(`${i / 8}:`)
        .update(input)
        .digest();
    vector[i] = block.readUInt32LE(offset) / 0xffffffff - 0.5;
  }
  let sumOfSquares = 0;
  for (const component of vector) sumOfSquares += component * component;
  const norm = Math.sqrt(sumOfSquares) || 1;
  for (let i = 0; i < dimensions; i++) vector[i] /= norm;
  return vector;
}
