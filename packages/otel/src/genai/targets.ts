import type { GenAIOptions } from './options.js';
import { patchMethod, type WrapperFactory } from './patch.js';
import { tracedPrepareRequest } from './prepare-request.js';
import { anthropicMessages } from './providers/anthropic-messages.js';
import { openAIChat } from './providers/openai-chat.js';
import { openAIEmbeddings } from './providers/openai-embeddings.js';
import { openAIResponses } from './providers/openai-responses.js';
import { suppressBuiltInTracing, tracedMethod } from './traced-method.js';

/**
 * A resource class method to wrap, reachable two ways: from the exported client class through its
 * static resource classes (`OpenAI.Chat.Completions`), or from a client instance through its resource
 * objects (`client.chat.completions`). Both lead to the same prototype, patched once. Empty paths name
 * the client class itself (its prototype) or the client instance (its prototype).
 */
interface Target {
  staticPath: string[];
  instancePath: string[];
  method: string;
  wrapper: WrapperFactory;
}

/** The client's per-attempt request hook, where traced calls get their trace headers. */
const PREPARE_REQUEST: Target = {
  staticPath: [],
  instancePath: [],
  method: 'prepareRequest',
  wrapper: tracedPrepareRequest,
};

const OPENAI_TARGETS: Target[] = [
  PREPARE_REQUEST,
  {
    staticPath: ['Chat', 'Completions'],
    instancePath: ['chat', 'completions'],
    method: 'create',
    wrapper: tracedMethod(openAIChat),
  },
  {
    staticPath: ['Responses'],
    instancePath: ['responses'],
    method: 'create',
    wrapper: tracedMethod(openAIResponses),
  },
  {
    staticPath: ['Embeddings'],
    instancePath: ['embeddings'],
    method: 'create',
    wrapper: tracedMethod(openAIEmbeddings),
  },
];

const traceMessages = tracedMethod(anthropicMessages);
const ANTHROPIC_TARGETS: Target[] = [
  PREPARE_REQUEST,
  { staticPath: ['Messages'], instancePath: ['messages'], method: 'create', wrapper: traceMessages },
  { staticPath: ['Messages'], instancePath: ['messages'], method: 'stream', wrapper: suppressBuiltInTracing },
  {
    staticPath: ['Beta', 'Messages'],
    instancePath: ['beta', 'messages'],
    method: 'create',
    wrapper: traceMessages,
  },
  {
    staticPath: ['Beta', 'Messages'],
    instancePath: ['beta', 'messages'],
    method: 'stream',
    wrapper: suppressBuiltInTracing,
  },
];

function walk(root: unknown, path: string[]): any {
  let node: any = root;
  for (const key of path) {
    if (node === null || (typeof node !== 'object' && typeof node !== 'function')) return undefined;
    node = node[key];
  }
  return node;
}

/** The candidates an SDK module, its namespace, its default export or the client class itself can offer. */
function classCandidates(subject: any): any[] {
  if (!subject) return [];
  return [subject, subject.OpenAI, subject.Anthropic, subject.default, subject.default?.default].filter(
    (candidate) => typeof candidate === 'function',
  );
}

/**
 * The first candidate class whose prototype has the method: a CJS `openai` export is itself a factory
 * function, with the client class one of its properties.
 */
function prototypeFor(subject: unknown, target: Target): object | undefined {
  for (const candidate of classCandidates(subject)) {
    const resourceClass = walk(candidate, target.staticPath);
    const proto = typeof resourceClass === 'function' ? resourceClass.prototype : undefined;
    if (proto && typeof proto[target.method] === 'function') return proto;
  }
  const resource = walk(subject, target.instancePath);
  if (resource && typeof resource === 'object') return Object.getPrototypeOf(resource);
  return undefined;
}

function patchTargets(
  subject: unknown,
  targets: Target[],
  options: GenAIOptions,
  replaceOptions: boolean,
): number {
  let patched = 0;
  for (const target of targets) {
    const proto = prototypeFor(subject, target);
    if (proto && patchMethod(proto, target.method, target.wrapper, options, replaceOptions)) patched++;
  }
  return patched;
}

/** Returns how many methods are wrapped; `replaceOptions` as in `patchMethod`. */
export function patchOpenAI(subject: unknown, options: GenAIOptions, replaceOptions: boolean): number {
  return patchTargets(subject, OPENAI_TARGETS, options, replaceOptions);
}

export function patchAnthropic(subject: unknown, options: GenAIOptions, replaceOptions: boolean): number {
  return patchTargets(subject, ANTHROPIC_TARGETS, options, replaceOptions);
}
