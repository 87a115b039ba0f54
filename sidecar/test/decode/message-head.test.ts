import { describe, expect, it } from 'vitest';
import { decodeTranscript, summarize } from './wire.js';

function transcriptOf(request: string, response: string) {
  return [
    { direction: 'write' as const, data: Buffer.from(request, 'latin1') },
    { direction: 'read' as const, data: Buffer.from(response, 'latin1') },
  ];
}

/**
 * A head that arrives whole in one capture chunk is read as one string cut into lines; a head cut
 * across chunks line by line. Both must read every head the same way.
 */
function decodeWholeAndByteByByte(request: string, response: string) {
  const transcript = transcriptOf(request, response);
  const whole = decodeTranscript(transcript);
  const byteByByte = decodeTranscript(transcript, { chunkSize: 1 });
  expect(summarize(byteByByte.exchanges)).toEqual(summarize(whole.exchanges));
  expect(byteByByte.decoder.stats().parseErrors).toBe(whole.decoder.stats().parseErrors);
  return whole;
}

describe('message heads read whole from one chunk', () => {
  it('end at the first blank line of a bare-LF head, even when the body holds CRLF CRLF', () => {
    const body = 'line one\r\n\r\nHost: not-a-header\r\n\r\n';
    const { exchanges } = decodeWholeAndByteByByte(
      `POST /lf HTTP/1.1\nHost: x\nContent-Length: ${body.length}\n\n${body}`,
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    );
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].request.headers).toEqual({ host: 'x', 'content-length': String(body.length) });
    expect(exchanges[0].request.body.toString()).toBe(body);
  });

  it('skip blank lines before a start line and keep mixed line ends and latin1 values', () => {
    const { exchanges } = decodeWholeAndByteByByte(
      'GET /first HTTP/1.1\r\nHost: x\r\n\r\n\r\n\nGET /a HTTP/1.1\r\nHost: x\nX-Name: caf\xe9 \r\r\n\r\n',
      'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\nX-Empty:\r\n\r\n',
    );
    expect(exchanges.map((exchange) => exchange.request.target)).toEqual(['/first', '/a']);
    // One CR before LF ends the line; another one is part of the value, which is trimmed.
    expect(exchanges[1].request.headers['x-name']).toBe('caf\xe9');
    expect(exchanges[1].response?.headers).toEqual({ 'x-empty': '' });
  });

  it('fail on a bad header line and decode the next message', () => {
    const { exchanges, decoder } = decodeWholeAndByteByByte(
      'GET /bad HTTP/1.1\r\nno colon here\r\n\r\nGET /good HTTP/1.1\r\nHost: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood',
    );
    expect(exchanges.map((exchange) => exchange.request.target)).toEqual(['/good']);
    expect(decoder.stats().parseErrors).toBe(1);
  });

  it('count a head over the size limit as an error, however it arrives', () => {
    const huge = `GET /huge HTTP/1.1\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`;
    const transcript = transcriptOf(
      `${huge}GET /next HTTP/1.1\r\nHost: x\r\n\r\n`,
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    );
    for (const split of [{}, { chunkSize: 1 }, { chunkSize: 1000 }]) {
      const { exchanges, decoder } = decodeTranscript(transcript, split);
      expect(decoder.stats().parseErrors).toBe(1);
      expect(exchanges.map((exchange) => exchange.request.target)).toContain('/next');
    }
  });

  it('stop at a start line that is not HTTP/1 and count the rest as dropped', () => {
    const { exchanges, decoder } = decodeWholeAndByteByByte(
      'HELLO THERE\r\nHost: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    );
    expect(exchanges).toHaveLength(0);
    expect(decoder.stats().parseErrors).toBe(1);
  });

  it('read a Content-Length given twice with one value, and reject two different ones', () => {
    const same = decodeWholeAndByteByByte(
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok',
    );
    expect(same.exchanges[0].response?.body.toString()).toBe('ok');
    const different = decodeWholeAndByteByByte(
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok',
    );
    expect(different.decoder.stats().parseErrors).toBe(1);
  });
});
