import { expect } from 'chai';
import fc from 'fast-check';
import { MessageDecodeError } from '../../../shared/queue-message/errors.ts';
import { decodeHttpApiFrame, encodeHttpApiFrame, isHttpApiFrame, type HttpApiFrameValues } from '../../../shared/queue-message/http-api-message.ts';
import { expectLinear } from '../../helpers/linear-cost.ts';

function makeFrameValues(overrides: Partial<HttpApiFrameValues> = {}): HttpApiFrameValues {
  return { method: 'POST', requestId: 'JKJaXmPLvHcESHA=', requestTimeEpoch: '1764000000', sourceIp: '203.0.113.7', path: '/webhook', headers: {}, body: '{}', ...overrides };
}

const head = 'HttpApiV2SQSLambda 2\nPOST\nJKJaXmPLvHcESHA=\n1764000000\n203.0.113.7\n';

function problemsOf(text: string): readonly string[] {
  try {
    decodeHttpApiFrame(text);
  } catch (error) {
    if (error instanceof MessageDecodeError) return error.problems;
    throw error;
  }
  return [];
}

describe('encodeHttpApiFrame', () => {
  it('writes the first line, the gateway values, one line per mapped header (empty when missing), the path, an empty line and the body', () => {
    const text = encodeHttpApiFrame(makeFrameValues({ path: '/webhook/stripe', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}\n' }), ['content-type', 'stripe-signature']);

    expect(text).to.equal(`${head}content-type: application/json\nstripe-signature: \n/webhook/stripe\n\n{"a":1}\n`);
  });
});

describe('isHttpApiFrame', () => {
  it('claims every body that starts with the shape name, and no JSON or other text', () => {
    const bodies = [head, 'HttpApiV2SQSLambda 3\n', 'HttpApiV2SQSLambda', '{"source":"HttpApiV2SQSLambda"}', ' HttpApiV2SQSLambda 2', '', undefined];

    expect(bodies.map(isHttpApiFrame)).to.deep.equal([true, true, true, false, false, false, false]);
  });
});

describe('decodeHttpApiFrame', () => {
  it('reads back the gateway values, the path, the headers sent and the body, newlines and empty lines in the body included', () => {
    const text = encodeHttpApiFrame(makeFrameValues({ headers: { 'content-type': 'text/plain; charset="utf-8"', 'x-sig': 'a: b \\ "c"' }, body: 'line 1\n\nline 3\r\n' }), ['content-type', 'x-sig']);

    expect(decodeHttpApiFrame(text)).to.deep.equal({
      method: 'POST',
      path: '/webhook',
      query: [],
      headers: { 'content-type': 'text/plain; charset="utf-8"', 'x-sig': 'a: b \\ "c"' },
      body: Buffer.from('line 1\n\nline 3\r\n'),
      receivedAt: 1_764_000_000_000,
      sourceIp: '203.0.113.7',
      requestId: 'JKJaXmPLvHcESHA=',
    });
  });

  it('reads the request time in epoch seconds (HTTP APIs) or milliseconds', () => {
    const times = ['1764000000', '1764000000123'].map((requestTimeEpoch) => decodeHttpApiFrame(encodeHttpApiFrame(makeFrameValues({ requestTimeEpoch }), [])).receivedAt);

    expect(times).to.deep.equal([1_764_000_000_000, 1_764_000_000_123]);
  });

  it('reads the fixed lines by position, so an empty request id or source IP leaves them out rather than ending the head', () => {
    const request = decodeHttpApiFrame(encodeHttpApiFrame(makeFrameValues({ requestId: '', sourceIp: '', headers: { 'x-a': '1' } }), ['x-a']));

    expect([request.path, request.headers, request.body.toString(), 'requestId' in request, 'sourceIp' in request]).to.deep.equal(['/webhook', { 'x-a': '1' }, '{}', false, false]);
  });

  it('treats an empty header line as a header not sent, with or without the space after the colon', () => {
    expect(decodeHttpApiFrame(`${head}a: \nb:\n/webhook\n\n`).headers).to.deep.equal({});
  });

  it('lists every problem of a broken frame rather than guessing', () => {
    expect(problemsOf('HttpApiV2SQSLambda 3\npost me\nid with space\nsoon\n203.0.113.7\r\nno colon here\nx\r: y\nwebhook\n\nbody')).to.deep.equal([
      'the first line must be "HttpApiV2SQSLambda 2"',
      'the method line must be an HTTP method token',
      'the request id line must be printable ASCII',
      'the request time line must be epoch seconds or milliseconds',
      'the source IP line must be printable ASCII',
      'the path line (the last of the head) must start with "/"',
      'a head line is not "<header>: <value>" ("no colon here")',
      'a head line is not "<header>: <value>" ("x\\r: y")',
    ]);
    expect(problemsOf(`${head}/webhook`)).to.deep.equal(['the message body has no empty line ending its head']);
    expect(problemsOf('HttpApiV2SQSLambda 2\n/webhook\n\n{}')).to.deep.equal(['the message body has no empty line ending its head']);
  });

  // HTTP APIs hand integrations the path percent-decoded (https://github.com/honojs/hono/issues/2156):
  // a client's %0A on POST /webhook/{proxy+} is a line break in the path line.
  it('refuses a path split by a line break rather than reading its parts as headers', () => {
    const frame = (path: string) => encodeHttpApiFrame(makeFrameValues({ path, headers: { 'content-type': 'application/json' } }), ['content-type']);

    expect(['/webhook/a\nx-smuggled: yes', '/webhook/a\n/webhook/stripe', '/webhook/a\ncontent-type: text/evil'].map((path) => problemsOf(frame(path)))).to.deep.equal([
      ['the path line (the last of the head) must start with "/"', 'a head line is not "<header>: <value>" ("/webhook/a")'],
      ['a head line is not "<header>: <value>" ("/webhook/a")'],
      ['the path line (the last of the head) must start with "/"', 'a head line is not "<header>: <value>" ("/webhook/a")'],
    ]);
  });

  it('refuses a header line that repeats a name, so no line can override a mapped header', () => {
    expect(problemsOf(`${head}x-sig: forged\ncontent-type: text/plain\nX-Sig: v1=abc\n/webhook\n\n{}`)).to.deep.equal(['header x-sig has more than one line']);
  });

  it('keeps the gateway values and the headers sent, or refuses the frame, for any path with line breaks', () => {
    const piece = fc.constantFrom('\n', '\n\n', 'x-smuggled: yes', 'content-type: text/evil', '/webhook/stripe', 'HttpApiV2SQSLambda 2', 'POST', '1', ':', 'a', '\r');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.string({ maxLength: 40 }), (pieces, body) => {
        const path = `/webhook/${pieces.join('')}`;
        const text = encodeHttpApiFrame(makeFrameValues({ path, headers: { 'content-type': 'application/json', 'x-sig': 'v1=abc' }, body }), ['content-type', 'x-sig']);
        let request;
        try {
          request = decodeHttpApiFrame(text);
        } catch (error) {
          expect(error).to.be.instanceOf(MessageDecodeError);
          return;
        }

        // Only a path with an empty line in it decodes: then its first line is the path.
        expect({ ...request, path: path.startsWith(request.path), body: undefined }).to.deep.equal({
          method: 'POST',
          path: true,
          query: [],
          headers: { 'content-type': 'application/json', 'x-sig': 'v1=abc' },
          body: undefined,
          receivedAt: 1_764_000_000_000,
          sourceIp: '203.0.113.7',
          requestId: 'JKJaXmPLvHcESHA=',
        });
      }),
    );
  });

  it('round-trips any header values without CR or LF, any gateway values and any body', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.string({ maxLength: 60 }).filter((v) => !/[\r\n\0]/.test(v) && v !== '')),
        fc.string({ maxLength: 300 }),
        fc.stringMatching(/^[A-Z]{1,16}$/),
        fc.stringMatching(/^[!-~]{0,40}$/),
        fc.integer({ min: 1, max: 4_000_000_000 }),
        (headers, body, method, requestId, seconds) => {
          const text = encodeHttpApiFrame(makeFrameValues({ method, requestId, requestTimeEpoch: String(seconds), path: '/webhook/x', headers, body }), Object.keys(headers));

          expect(decodeHttpApiFrame(text)).to.deep.equal({
            method,
            path: '/webhook/x',
            query: [],
            headers,
            body: Buffer.from(body),
            receivedAt: seconds * 1000,
            sourceIp: '203.0.113.7',
            ...(requestId ? { requestId } : {}),
          });
        },
      ),
    );
  });

  it('never throws anything but a MessageDecodeError on hostile text', () => {
    const unit = fc.constantFrom('\n', '\r', ':', ' ', 'a', '/', 'POST', '1764000000', 'HttpApiV2SQSLambda 2', '\0', '\n\n');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 400 }), (tail) => {
        const problems = problemsOf(`HttpApiV2SQSLambda 2\n${tail}`);

        expect(problems).to.be.an('array');
      }),
    );
  });

  it('costs time linear in the size of the head and of the body', () => {
    expectLinear('many header lines', (n) => `${head}${Array.from({ length: n }, (_, i) => `x-${i}: b\n`).join('')}/webhook\n\nbody`, (text) => decodeHttpApiFrame(text));
    expectLinear('a long body of newlines', (n) => `${head}/webhook\n\n${'\n'.repeat(n)}`, (text) => decodeHttpApiFrame(text));
    expectLinear('a path of many line breaks', (n) => `${head}x-a: b\n/webhook${'\na'.repeat(n)}\n\nbody`, (text) => problemsOf(text));
    expectLinear('a long head with no empty line', (n) => `${head}/webhook\n${'x-a: b\n'.repeat(n)}`, (text) => problemsOf(text));
  });
});
