/** The measured calls, identical in every variant. */

export const STREAM_CONTENT_CHUNKS = 20;
/** The reply's content; the mock server splits it into exactly 20 content chunks when streamed. */
export const REPLY_TEXT =
  'the agent reads a file then calls a tool and writes a short answer about latency tokens traces spans and metrics today';

const messages = [
  { role: 'system', content: 'You are a terse assistant.' },
  { role: 'user', content: 'Summarise the benchmark in one sentence.' },
];

export const REQUESTS = {
  plain: { model: 'gpt-4o-mini', messages, max_tokens: 64 },
  /** With usage on the last chunk: what apps do to get token counts from a stream. */
  stream: {
    model: 'gpt-4o-mini',
    messages,
    max_tokens: 64,
    stream: true,
    stream_options: { include_usage: true },
  },
};

/** Returns the reply's length, so a broken call cannot pass unnoticed. */
async function plainCall(client) {
  const completion = await client.chat.completions.create(REQUESTS.plain);
  return completion.choices[0].message.content.length;
}

/** Reads every chunk; returns how many arrived. */
async function streamCall(client) {
  const stream = await client.chat.completions.create(REQUESTS.stream);
  let chunks = 0;
  for await (const _chunk of stream) chunks++;
  return chunks;
}

export const CALLS = { plain: plainCall, stream: streamCall };
