import type { Attributes } from '@opentelemetry/api';
import type { GenAIOperation, GenAIProvider } from './attributes.js';

/** A message part in the GenAI semconv shape (`gen_ai.input.messages` / `gen_ai.output.messages`). */
export type MessagePart =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: unknown }
  | { type: 'tool_call_response'; id?: string; response: unknown }
  | { type: 'reasoning'; content: string }
  | { type: string; [key: string]: unknown };

export interface ChatMessage {
  role: string;
  parts: MessagePart[];
  finish_reason?: string;
}

export interface ToolCallSummary {
  id?: string;
  name: string;
  /** JSON text of the arguments; present only when content capture is on. */
  arguments?: string;
}

export interface Usage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheCreation?: number;
  reasoning?: number;
}

/** What the instrumentation keeps of one response, streamed or not, whichever provider sent it. */
export interface ResponseSummary {
  id?: string;
  model?: string;
  finishReasons?: string[];
  usage?: Usage;
  toolCalls?: ToolCallSummary[];
  /** Present only when content capture is on. */
  outputMessages?: ChatMessage[];
}

/** Folds stream chunks into a summary; `add` runs once per chunk, so it must stay cheap. */
export interface StreamAccumulator {
  add(chunk: unknown): void;
  summary(): ResponseSummary;
}

/** How one operation of one provider maps requests, responses and stream chunks onto the semconv. */
export interface OperationAdapter {
  provider: GenAIProvider;
  operation: GenAIOperation;
  /** A fresh object per call: the caller adds the attributes every operation shares to it. */
  requestAttributes(body: Record<string, any>): Attributes;
  /** Only called with content capture on. */
  requestContent(body: Record<string, any>): Attributes;
  summarize(response: any, captureContent: boolean): ResponseSummary;
  accumulator(captureContent: boolean): StreamAccumulator;
}

/** Copies defined primitives (and arrays of them) into `attributes` under their semconv names. */
export function setDefined(attributes: Attributes, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    attributes[key] = value;
  } else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    attributes[key] = value as string[];
  }
}

/** Tool-call arguments arrive as JSON text; the semconv wants the object when it parses. */
export function parseArguments(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function stopSequences(stop: unknown): string[] | undefined {
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop)) return stop.filter((s): s is string => typeof s === 'string');
  return undefined;
}
