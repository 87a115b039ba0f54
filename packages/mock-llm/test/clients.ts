import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { MockLlmServer } from '../src/index.js';

/** Real SDK clients pointed at the mock, trusting its certificate through `server.fetch`. */
export function openaiClient(server: MockLlmServer, options: { maxRetries?: number } = {}): OpenAI {
  return new OpenAI({
    apiKey: 'sk-test-openai',
    baseURL: server.openaiBaseURL,
    fetch: server.fetch,
    maxRetries: options.maxRetries ?? 0,
  });
}

export function anthropicClient(server: MockLlmServer, options: { maxRetries?: number } = {}): Anthropic {
  return new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: server.anthropicBaseURL,
    fetch: server.fetch,
    maxRetries: options.maxRetries ?? 0,
  });
}
