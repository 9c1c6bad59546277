import { expect } from 'chai';
import fc from 'fast-check';
import { decodeRestEnvelope, encodeRestEnvelope, isRestEnvelope } from '../../../shared/queue-message/envelope.ts';
import { MessageDecodeError } from '../../../shared/queue-message/errors.ts';
import type { ReplayRequest } from '../../../shared/queue-message/replay-request.ts';
import { makeReplayRequest } from '../../../factories/sqs.ts';
import { expectLinear } from '../../helpers/linear-cost.ts';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const parse = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

const headerName = fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,20}$/);
const headerValue = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((v) => !/[\r\n\0]/.test(v));
const request: fc.Arbitrary<ReplayRequest> = fc.record(
  {
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
    path: fc.string({ unit: 'grapheme', maxLength: 30 }).map((p) => `/${p}`),
    query: fc.array(fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 12 })), { maxLength: 6 }),
    headers: fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
    body: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    requestId: fc.uuid(),
    receivedAt: fc.integer({ min: 1, max: 4_000_000_000_000 }),
    sourceIp: fc.ipV4(),
    domainName: fc.domain(),
    stage: fc.stringMatching(/^[a-z]{1,8}$/),
    rawQuery: fc.stringMatching(/^[\x21\x22\x24-\x7e]{0,30}$/),
  },
  { requiredKeys: ['method', 'path', 'query', 'headers', 'body', 'receivedAt'] },
);

/**
 * The envelope's query is a JSON object: a repeated key keeps its values in order, but keys
 * come back in object order (integer-like base64 keys first), as API Gateway's map gives none.
 */
function byKey(query: [string, string][]): [string, string][] {
  return [...query].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('encodeRestEnvelope', () => {
  it('round-trips through decodeRestEnvelope for any request', () => {
    fc.assert(
      fc.property(request, (original) => {
        const decoded = decodeRestEnvelope(parse(encodeRestEnvelope(original)));

        expect({ ...decoded, query: byKey(decoded.query) }).to.deep.equal({ ...original, query: byKey(original.query) });
      }),
      { numRuns: 1000 },
    );
  });

  it('base64-encodes every string a client controls and leaves gateway values plain', () => {
    const envelope = parse(encodeRestEnvelope(makeReplayRequest({ path: "/it's", query: [['a', '1'], ['a', '2']], headers: { 'x-q': 'say "hi"' }, body: Buffer.from('b') })));

    expect(envelope).to.deep.equal({
      source: 'ApiGatewayV1SQSLambda',
      envelopeVersion: 1,
      method: 'POST',
      path: b64("/it's"),
      query: { [b64('a')]: [b64('1'), b64('2')] },
      headers: { [b64('x-q')]: b64('say "hi"') },
      body: b64('b'),
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTime: 1_764_000_000_000,
      sourceIp: '203.0.113.7',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      stage: 'prod',
    });
  });
});

describe('decodeRestEnvelope', () => {
  it('rejects a broken envelope with every problem at once', () => {
    const envelope = {
      source: 'ApiGatewayV1SQSLambda',
      envelopeVersion: 2,
      method: 'get',
      path: b64('no-slash'),
      query: { [b64('k')]: 5 },
      headers: { [b64('bad name')]: b64('v'), [b64('x-ok')]: b64('a\r\nb'), '%%%': b64('v') },
      body: 'not base64!',
      requestTime: '1764000000000',
    };

    let error: unknown;
    try {
      decodeRestEnvelope(envelope);
    } catch (e) {
      error = e;
    }

    expect(error).to.be.instanceOf(MessageDecodeError);
    expect((error as MessageDecodeError).problems).to.deep.equal([
      'envelopeVersion must be 1 (got 2)',
      'method must be an HTTP method token (got "get")',
      'path must start with "/"',
      'query k values must be strings',
      'header name "bad name" is not a valid HTTP token',
      'header x-ok contains CR, LF or NUL',
      'header name is not valid base64',
      'body is not valid base64',
      'requestTime must be epoch milliseconds',
    ]);
  });

  it('rejects a raw query that is not base64, not a string, or not what an HTTP query can hold', () => {
    const withRawQuery = (rawQuery: unknown) => ({ ...parse(encodeRestEnvelope(makeReplayRequest())), rawQuery });
    const problemsOf = (rawQuery: unknown) => {
      try {
        decodeRestEnvelope(withRawQuery(rawQuery));
        return [];
      } catch (error) {
        return (error as MessageDecodeError).problems;
      }
    };

    const problems = [b64('a=1#frag'), b64('a=b c'), b64('a=é'), '%%%', 42, b64('a=1&b=%20')].map(problemsOf);

    expect(problems).to.deep.equal([
      ['rawQuery must be printable ASCII without "#"'],
      ['rawQuery must be printable ASCII without "#"'],
      ['rawQuery must be printable ASCII without "#"'],
      ['rawQuery is not valid base64'],
      ['rawQuery must be a string'],
      [],
    ]);
  });

  it('costs linear time in the number of headers and query values and in the body length', function () {
    this.timeout(60_000);
    const envelope = (n: number) => parse(encodeRestEnvelope(makeReplayRequest({
      query: Array.from({ length: n }, (_, i): [string, string] => [i % 2 === 0 ? 'k' : `k${i}`, 'v']),
      headers: Object.fromEntries(Array.from({ length: n }, (_, i) => [`h${i}`, 'v'])),
      body: Buffer.alloc(n * 16, 0x61),
    })));

    expectLinear('envelope', envelope, decodeRestEnvelope, 2000);
    expectLinear('broken envelope', (n) => ({ ...envelope(n), headers: Object.fromEntries(Array.from({ length: n }, (_, i) => [`%${i}`, '%'])) }), (value) => {
      try {
        decodeRestEnvelope(value);
      } catch (error) {
        return error;
      }
    }, 2000);
  });

  it('keeps a header named __proto__ as a header', () => {
    const envelope = parse(encodeRestEnvelope(makeReplayRequest({ headers: Object.fromEntries([['__proto__', 'x'], ['content-type', 'text/plain']]) })));

    const { headers } = decodeRestEnvelope(envelope);

    expect(Object.entries(headers)).to.deep.equal([['__proto__', 'x'], ['content-type', 'text/plain']]);
  });

  it('rejects text that is not valid UTF-8', () => {
    const envelope = parse(encodeRestEnvelope(makeReplayRequest()));
    envelope.path = Buffer.from([0x2f, 0xc3, 0x28]).toString('base64');

    expect(() => decodeRestEnvelope(envelope)).to.throw(MessageDecodeError, 'path is not valid UTF-8');
  });
});

describe('isRestEnvelope', () => {
  it('tells our envelope from the legacy v1 shape by its version field', () => {
    const verdicts = [
      { source: 'ApiGatewayV1SQSLambda', envelopeVersion: 1 },
      { source: 'ApiGatewayV1SQSLambda', envelopeVersion: 'x' },
      { source: 'ApiGatewayV1SQSLambda', jsonPayload: {} },
      { source: 'HttpApiV2SQSLambda', envelopeVersion: 1 },
    ].map(isRestEnvelope);

    expect(verdicts).to.deep.equal([true, true, false, false]);
  });
});
