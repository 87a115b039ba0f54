/** What the GenAI instrumentation records and injects. */
export interface GenAIOptions {
  /** Record prompts, completions, system instructions and tool definitions (opt-in: they hold user data). */
  captureContent: boolean;
  /** Send `traceparent` and `X-Trace-Id` with LLM requests so kernel-side captures join the app's trace. */
  injectTraceHeaders: boolean;
  /** Hosts whose plain fetch/undici requests get `X-Trace-Id`; a string may start with `*.` for subdomains. */
  llmHosts: (string | RegExp)[];
}

/** Public LLM API hosts that get `X-Trace-Id` without configuration. */
export const KNOWN_LLM_HOSTS: readonly string[] = [
  'api.openai.com',
  'api.anthropic.com',
  '*.openai.azure.com',
  '*.services.ai.azure.com',
  'generativelanguage.googleapis.com',
  '*-aiplatform.googleapis.com',
  'api.mistral.ai',
  'api.groq.com',
  'openrouter.ai',
  'api.deepseek.com',
  'api.together.xyz',
  'api.fireworks.ai',
  'api.cohere.com',
  'api.perplexity.ai',
  'api.x.ai',
];

function envFlag(name: string): boolean | undefined {
  const raw = process.env[name]?.trim().toLowerCase();
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return undefined;
}

function envHosts(): string[] {
  const raw = process.env.AGENTSIGHT_LLM_HOSTS;
  if (!raw) return [];
  return raw
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host.length > 0);
}

/**
 * Fills unset options from the environment: content capture is off unless
 * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true, header injection is on unless
 * AGENTSIGHT_INJECT_TRACE_HEADERS=false, and AGENTSIGHT_LLM_HOSTS (comma list) extends the known hosts.
 * Explicit `llmHosts` are added to the known hosts rather than replacing them.
 */
export function resolveGenAIOptions(partial: Partial<GenAIOptions> = {}): GenAIOptions {
  return {
    captureContent:
      partial.captureContent ?? envFlag('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT') ?? false,
    injectTraceHeaders: partial.injectTraceHeaders ?? envFlag('AGENTSIGHT_INJECT_TRACE_HEADERS') ?? true,
    llmHosts: [...new Set([...KNOWN_LLM_HOSTS, ...envHosts(), ...(partial.llmHosts ?? [])])],
  };
}

/** Builds a host predicate once, so the per-request check is a Set lookup plus a few suffix tests. */
export function createHostMatcher(patterns: readonly (string | RegExp)[]): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  const regexps: RegExp[] = [];
  for (const pattern of patterns) {
    if (pattern instanceof RegExp) regexps.push(pattern);
    else if (pattern.startsWith('*.')) suffixes.push(pattern.slice(1).toLowerCase());
    else if (pattern.startsWith('*')) suffixes.push(pattern.slice(1).toLowerCase());
    else exact.add(pattern.toLowerCase());
  }
  return (host) => {
    const name = host.toLowerCase();
    if (exact.has(name)) return true;
    for (const suffix of suffixes) if (name.endsWith(suffix)) return true;
    for (const regexp of regexps) if (regexp.test(name)) return true;
    return false;
  };
}
