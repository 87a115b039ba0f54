import { describe, expect, it } from 'vitest';
import { MetricAttributeCache } from '../../src/genai/metric-attributes.js';

const base = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'server.port': 443 };

describe('MetricAttributeCache', () => {
  it('shares one frozen set per (request model, response model) and adds the token type', () => {
    const cache = new MetricAttributeCache(base);
    const sets = cache.sets('gpt-4o', 'gpt-4o-2024-08-06');
    expect(cache.sets('gpt-4o', 'gpt-4o-2024-08-06')).toBe(sets);
    expect(sets.call).toEqual({
      ...base,
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
    });
    expect(sets.inputTokens).toEqual({ ...sets.call, 'gen_ai.token.type': 'input' });
    expect(sets.outputTokens).toEqual({ ...sets.call, 'gen_ai.token.type': 'output' });
    expect(Object.isFrozen(sets.call) && Object.isFrozen(sets.inputTokens)).toBe(true);

    const other = cache.sets('gpt-4o', 'gpt-4o-mini');
    expect(other).not.toBe(sets);
    expect(other.call['gen_ai.response.model']).toBe('gpt-4o-mini');
    expect(cache.sets(undefined, undefined).call).toEqual(base);
  });

  it('builds failed calls their own set with error.type, never cached', () => {
    const cache = new MetricAttributeCache(base);
    const failed = cache.sets('gpt-4o', undefined, 'RateLimitError');
    expect(failed.call).toEqual({
      ...base,
      'gen_ai.request.model': 'gpt-4o',
      'error.type': 'RateLimitError',
    });
    expect(cache.sets('gpt-4o', undefined, 'RateLimitError')).not.toBe(failed);
    expect(cache.sets('gpt-4o', undefined).call['error.type']).toBeUndefined();
  });

  it('stops keeping new model pairs past its bound but still returns correct sets', () => {
    const cache = new MetricAttributeCache(base);
    for (let i = 0; i < 300; i++) cache.sets(`model-${i}`, undefined);
    const late = cache.sets('model-299', undefined);
    expect(late.call['gen_ai.request.model']).toBe('model-299');
    expect(cache.sets('model-299', undefined)).not.toBe(late);
    expect(cache.sets('model-0', undefined)).toBe(cache.sets('model-0', undefined));
  });
});
