import { describe, expect, it } from 'vitest';
import { parseSse } from '../../src/decode/sse.js';

describe('parseSse', () => {
  it('reads event and data values with one leading space dropped, and ignores look-alike fields', () => {
    const text =
      'event:tight\ndata:a\n\nevent:  two spaces\ndata:  b\n\nevent:\ndata\n\n' +
      'eventual: no\ndatum: no\nevent: last\ndata: c\n\n';
    expect(parseSse(text)).toEqual({
      messages: [
        { event: 'tight', data: 'a' },
        { event: ' two spaces', data: ' b' },
        { event: '', data: '' },
        { event: 'last', data: 'c' },
      ],
      endedMidEvent: false,
      singleLineData: true,
    });
  });

  it('says when a message joins several data lines', () => {
    const joined = parseSse('data: one\n\ndata: two\ndata: lines\n\n');
    expect(joined.messages.map((message) => message.data)).toEqual(['one', 'two\nlines']);
    expect(joined.singleLineData).toBe(false);
    // An event cut off by the end of the stream is dropped, and does not count.
    expect(parseSse('data: one\r\n\r\ndata: cut\r\ndata: off').singleLineData).toBe(true);
  });
});
