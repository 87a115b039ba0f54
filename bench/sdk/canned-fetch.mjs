/**
 * A `fetch` that answers instantly with replies recorded from the mock server, so a call costs only
 * the client and its instrumentation: no sockets, no server, no scheduler noise. Streamed replies are
 * delivered one SSE event per body chunk, as they arrive from a real server.
 */

/**
 * Records one plain and one streamed reply of the benchmark's own requests from the live server.
 * Called before any instrumentation is installed.
 */
export async function recordReplies(openaiBaseURL, requests) {
  const record = async (body) => {
    const response = await fetch(`${openaiBaseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`recording reply failed: HTTP ${response.status}`);
    return { headers: Object.fromEntries(response.headers), text: await response.text() };
  };
  const plain = await record(requests.plain);
  const stream = await record(requests.stream);
  const encoder = new TextEncoder();
  const events = stream.text
    .split('\n\n')
    .filter((event) => event.length > 0)
    .map((event) => encoder.encode(`${event}\n\n`));
  return {
    plain: { headers: plain.headers, body: encoder.encode(plain.text) },
    stream: { headers: stream.headers, events },
  };
}

function headersWithoutFraming(headers) {
  const {
    'content-length': _length,
    'transfer-encoding': _encoding,
    connection: _connection,
    ...rest
  } = headers;
  return rest;
}

export function cannedFetch(recorded) {
  const plainHeaders = headersWithoutFraming(recorded.plain.headers);
  const streamHeaders = headersWithoutFraming(recorded.stream.headers);
  const { events } = recorded.stream;
  return async (_url, init) => {
    if (typeof init?.body === 'string' && init.body.includes('"stream":true')) {
      let next = 0;
      const body = new ReadableStream({
        pull(controller) {
          if (next < events.length) controller.enqueue(events[next++]);
          else controller.close();
        },
      });
      return new Response(body, { status: 200, headers: streamHeaders });
    }
    return new Response(recorded.plain.body, { status: 200, headers: plainHeaders });
  };
}
