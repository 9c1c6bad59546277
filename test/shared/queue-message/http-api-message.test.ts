import { expect } from 'chai';
import fc from 'fast-check';
import { decodeHttpApiFrame, encodeHttpApiFrame } from '../../../shared/queue-message/http-api-message.ts';
import { expectLinear } from '../../helpers/linear-cost.ts';

function decode(text: string) {
  const problems: string[] = [];
  const frame = decodeHttpApiFrame(text, problems);
  return { frame, problems };
}

describe('encodeHttpApiFrame', () => {
  it('writes the first line, the path, one line per mapped header (empty when missing), an empty line and the body', () => {
    const text = encodeHttpApiFrame('/webhook/stripe', ['content-type', 'stripe-signature'], { 'Content-Type': 'application/json' }, '{"a":1}\n');

    expect(text).to.equal('HttpApiV2SQSLambda 2\n/webhook/stripe\ncontent-type: application/json\nstripe-signature: \n\n{"a":1}\n');
  });
});

describe('decodeHttpApiFrame', () => {
  it('reads back the path, the headers sent and the body, newlines and empty lines in the body included', () => {
    const text = encodeHttpApiFrame('/webhook', ['content-type', 'x-sig'], { 'content-type': 'text/plain; charset="utf-8"', 'x-sig': 'a: b \\ "c"' }, 'line 1\n\nline 3\r\n');

    expect(decode(text)).to.deep.equal({
      frame: { path: '/webhook', headers: { 'content-type': 'text/plain; charset="utf-8"', 'x-sig': 'a: b \\ "c"' }, body: 'line 1\n\nline 3\r\n' },
      problems: [],
    });
  });

  it('treats an empty header line as a header not sent, with or without the space after the colon', () => {
    expect(decode('HttpApiV2SQSLambda 2\n/webhook\na: \nb:\n\n').frame?.headers).to.deep.equal({});
  });

  it('lists every problem of a broken frame rather than guessing', () => {
    expect(decode('HttpApiV2SQSLambda 3\nwebhook\nno colon here\nx\r: y\n\nbody').problems).to.deep.equal([
      'the first line must be "HttpApiV2SQSLambda 2"',
      'the path line must start with "/"',
      'a head line is not "<header>: <value>" ("no colon here")',
      'a head line is not "<header>: <value>" ("x\\r: y")',
    ]);
    expect(decode('HttpApiV2SQSLambda 2\n/webhook').problems).to.deep.equal(['the message body has no empty line ending its head']);
  });

  it('round-trips any header values without CR or LF and any body', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.string({ maxLength: 60 }).filter((v) => !/[\r\n\0]/.test(v) && v !== '')),
        fc.string({ maxLength: 300 }),
        (headers, body) => {
          const { frame, problems } = decode(encodeHttpApiFrame('/webhook/x', Object.keys(headers), headers, body));

          expect(problems).to.deep.equal([]);
          expect(frame).to.deep.equal({ path: '/webhook/x', headers, body });
        },
      ),
    );
  });

  it('never throws on hostile text: it decodes or lists problems', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('\n', '\r', ':', ' ', 'a', '/', 'HttpApiV2SQSLambda 2', '\0'), maxLength: 400 }), (text) => {
        const { frame, problems } = decode(text);

        expect(frame !== undefined || problems.length > 0).to.equal(true);
      }),
    );
  });

  it('costs time linear in the size of the head and of the body', () => {
    expectLinear('many header lines', (n) => `HttpApiV2SQSLambda 2\n/webhook\n${'x-a: b\n'.repeat(n)}\nbody`, (text) => decodeHttpApiFrame(text, []));
    expectLinear('a long body of newlines', (n) => `HttpApiV2SQSLambda 2\n/webhook\n\n${'\n'.repeat(n)}`, (text) => decodeHttpApiFrame(text, []));
  });
});
