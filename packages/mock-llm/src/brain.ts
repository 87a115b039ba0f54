import type { Conversation, Reply, Script } from './types.js';

/** A step of a tool loop: a fixed reply, or one computed from the conversation so far. */
export type ScriptStep = Reply | ((conversation: Conversation) => Reply);

/**
 * A deterministic tool-loop policy: step i is taken once the conversation holds i tool rounds
 * (the last step repeats). State lives only in the request, so concurrent conversations advance
 * independently.
 */
export function createToolLoopScript(steps: ScriptStep[]): Script {
  if (steps.length === 0) throw new Error('createToolLoopScript needs at least one step');
  return (conversation) => {
    const step = steps[Math.min(conversation.toolRounds, steps.length - 1)];
    return typeof step === 'function' ? step(conversation) : step;
  };
}

export const DEFAULT_SHELL_COMMAND = 'echo hello from the agent && uname -s';
export const DEFAULT_OUTPUT_PATH = '/tmp/agentsight-agent-output.txt';

/** A JSON Schema object; the index signature keeps it assignable to both SDKs' schema types. */
interface ObjectSchema {
  [keyword: string]: unknown;
  type: 'object';
  properties: Record<string, { type: string; description: string }>;
  required: string[];
  additionalProperties: boolean;
}

export interface FunctionToolDefinition {
  type: 'function';
  function: { name: string; description: string; parameters: ObjectSchema };
}

export interface AnthropicToolDefinition {
  name: string;
  description: string;
  input_schema: ObjectSchema;
}

/** The tools the default script calls, in OpenAI chat-completions function format. */
export const defaultAgentTools: FunctionToolDefinition[] = [
  {
    type: 'function',
    function: {
      name: 'run_shell',
      description: 'Run a shell command and return its combined stdout and stderr.',
      parameters: {
        type: 'object',
        properties: { command: { type: 'string', description: 'The command line to run with /bin/sh' } },
        required: ['command'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'write_file',
      description: 'Write text content to a file, replacing it if it exists.',
      parameters: {
        type: 'object',
        properties: {
          path: { type: 'string', description: 'Path of the file to write' },
          content: { type: 'string', description: 'Text to write' },
        },
        required: ['path', 'content'],
        additionalProperties: false,
      },
    },
  },
];

/** The same tools in Anthropic Messages format. */
export const defaultAnthropicAgentTools: AnthropicToolDefinition[] = defaultAgentTools.map(
  ({ function: fn }) => ({
    name: fn.name,
    description: fn.description,
    input_schema: fn.parameters,
  }),
);

export interface DefaultScriptOptions {
  command?: string;
  outputPath?: string;
}

const RESULT_PREVIEW_CHARS = 200;

/**
 * Requests that declare tools get a three-turn loop: `run_shell`, then `write_file` with the
 * shell output, then a text answer summarising the tool results. Requests without tools get a
 * plain text answer, so simple chat calls stay simple.
 */
export function createDefaultScript(options: DefaultScriptOptions = {}): Script {
  const command = options.command ?? DEFAULT_SHELL_COMMAND;
  const path = options.outputPath ?? DEFAULT_OUTPUT_PATH;
  const toolLoop = createToolLoopScript([
    { toolCalls: [{ name: 'run_shell', arguments: { command } }] },
    (conversation) => ({
      toolCalls: [
        {
          name: 'write_file',
          arguments: { path, content: `Shell output:\n${conversation.toolResults[0] ?? ''}` },
        },
      ],
    }),
    (conversation) => ({
      text: [
        `Done: ran the shell command and wrote ${path}.`,
        ...conversation.toolResults.map((result, i) => `Tool result ${i + 1}: ${preview(result)}`),
      ].join('\n'),
    }),
  ]);
  return (conversation) =>
    conversation.toolNames.length > 0
      ? toolLoop(conversation)
      : { text: `This is a mock reply to: ${preview(conversation.lastUserText)}` };
}

function preview(text: string): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > RESULT_PREVIEW_CHARS ? `${flat.slice(0, RESULT_PREVIEW_CHARS)}…` : flat;
}

export const defaultScript: Script = createDefaultScript();
