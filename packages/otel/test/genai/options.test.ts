import { afterEach, describe, expect, it, vi } from 'vitest';
import { withHeaders } from '../../src/genai/headers.js';
import { createHostMatcher, resolveGenAIOptions } from '../../src/genai/options.js';

afterEach(() => vi.unstubAllEnvs());

describe('resolveGenAIOptions', () => {
  it('defaults: no content, headers on, known hosts', () => {
    vi.stubEnv('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', '');
    vi.stubEnv('AGENTSIGHT_INJECT_TRACE_HEADERS', '');
    const options = resolveGenAIOptions();
    expect(options.captureContent).toBe(false);
    expect(options.injectTraceHeaders).toBe(true);
    expect(options.llmHosts).toContain('api.openai.com');
    expect(options.llmHosts).toContain('*.openai.azure.com');
  });

  it('reads the environment; explicit options win', () => {
    vi.stubEnv('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', 'true');
    vi.stubEnv('AGENTSIGHT_INJECT_TRACE_HEADERS', 'false');
    vi.stubEnv('AGENTSIGHT_LLM_HOSTS', ' llm.internal , *.corp.ai ');
    const fromEnv = resolveGenAIOptions();
    expect(fromEnv).toMatchObject({ captureContent: true, injectTraceHeaders: false });
    expect(fromEnv.llmHosts).toEqual(
      expect.arrayContaining(['llm.internal', '*.corp.ai', 'api.anthropic.com']),
    );
    expect(resolveGenAIOptions({ captureContent: false }).captureContent).toBe(false);
  });
});

describe('createHostMatcher', () => {
  it('matches exact names, wildcard subdomains and regexps, case-insensitively', () => {
    const matches = createHostMatcher(['api.openai.com', '*.openai.azure.com', /^gw-\d+\.local$/]);
    expect(matches('API.openai.com')).toBe(true);
    expect(matches('myres.openai.azure.com')).toBe(true);
    expect(matches('openai.azure.com')).toBe(false);
    expect(matches('gw-3.local')).toBe(true);
    expect(matches('example.com')).toBe(false);
  });
});

describe('withHeaders', () => {
  const added = { traceparent: '00-a-b-01', 'x-trace-id': 'a' };

  it('merges into a copy of a plain record, caller headers win', () => {
    const options = { timeout: 5, headers: { 'X-Trace-Id': 'mine' } };
    const merged = withHeaders(options, added);
    expect(merged).toEqual({ timeout: 5, headers: { 'X-Trace-Id': 'mine', traceparent: '00-a-b-01' } });
    expect(options.headers).toEqual({ 'X-Trace-Id': 'mine' });
  });

  it('keeps a Headers instance a Headers instance, and arrays arrays', () => {
    const headers = new Headers({ a: '1' });
    const merged = withHeaders({ headers }, added).headers as Headers;
    expect(merged).toBeInstanceOf(Headers);
    expect(merged.get('traceparent')).toBe('00-a-b-01');
    expect(headers.has('traceparent')).toBe(false);
    expect(withHeaders({ headers: [['a', '1']] }, added).headers).toEqual([
      ['a', '1'],
      ['traceparent', '00-a-b-01'],
      ['x-trace-id', 'a'],
    ]);
  });

  it('respects a header the caller set to null (the SDKs omit it)', () => {
    expect(withHeaders({ headers: { traceparent: null } }, added).headers).toEqual({
      traceparent: null,
      'x-trace-id': 'a',
    });
    expect(withHeaders(undefined, added)).toEqual({ headers: added });
  });
});
