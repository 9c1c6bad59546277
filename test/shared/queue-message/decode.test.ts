import { expect } from 'chai';
import fc from 'fast-check';
import { decodeRecord } from '../../../shared/queue-message/decode.ts';
import { MessageDecodeError } from '../../../shared/queue-message/errors.ts';
import { makeEnvelopeRecord, makeHttpApiFramedRecord, makeHttpApiRecord, makeReplayRequest, makeSqsRecord, sampleTime } from '../../../factories/sqs.ts';

function decodeError(record: Parameters<typeof decodeRecord>[0]): MessageDecodeError {
  try {
    decodeRecord(record);
  } catch (error) {
    if (error instanceof MessageDecodeError) return error;
    throw error;
  }
  throw new Error('decodeRecord did not throw');
}

describe('decodeRecord', () => {
  it('decodes our REST API (v1) envelope', () => {
    const request = makeReplayRequest({ query: [['a', '1']], headers: { 'content-type': 'text/plain', 'x-sig': 'abc' }, body: Buffer.from('hi') });

    const decoded = decodeRecord(makeEnvelopeRecord(request));

    expect(decoded).to.deep.equal({ kind: 'request', shape: 'rest-envelope-v1', request });
  });

  it('decodes our HTTP API (v2) message, version 2, from its body alone: a framed message with no attributes at all', () => {
    const record = makeHttpApiFramedRecord({
      path: '/webhook/stripe',
      body: '{"id":1}\n\n',
      headerNames: ['content-type', 'stripe-signature', 'x-missing'],
      headers: { 'Stripe-Signature': 't=1,v1="ab"' },
    });

    const decoded = decodeRecord(record);

    expect(record.messageAttributes).to.deep.equal({});
    expect(decoded).to.deep.equal({
      kind: 'request',
      shape: 'http-api-v2-framed',
      request: {
        method: 'POST',
        path: '/webhook/stripe',
        query: [],
        headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1="ab"' },
        body: Buffer.from('{"id":1}\n\n'),
        receivedAt: sampleTime,
        sourceIp: '203.0.113.7',
        requestId: 'JKJaXmPLvHcESHA=',
      },
    });
  });

  it('names every problem of a broken version 2 HTTP API message, whatever attributes it has', () => {
    const error = decodeError(makeHttpApiFramedRecord({ method: 'post', requestTime: 'soon', path: 'webhook' }, { messageAttributes: { envelopeVersion: '2', method: 'POST' } }));

    expect([error.shape, error.problems]).to.deep.equal([
      'http-api-v2-framed',
      ['the method line must be an HTTP method token', 'the request time line must be epoch seconds or milliseconds', 'the path line (the last of the head) must start with "/"'],
    ]);
  });

  it('takes a body that starts with the shape name as an HTTP API message, so a broken or future version is parked, not ignored', () => {
    const shapes = ['HttpApiV2SQSLambda 3\nPOST\n', 'HttpApiV2SQSLambda', 'HttpApiV2SQSLambda 2\n{"id":1}'].map((body) => decodeError(makeSqsRecord({ body })).shape);

    expect(shapes).to.deep.equal(['http-api-v2-framed', 'http-api-v2-framed', 'http-api-v2-framed']);
  });

  // Whatever a framed body holds after its first line, and whatever attributes travel with it
  // (none, parking's, junk), the record decodes or is undecodable (parked): it is never
  // "unrecognized", which the worker logs and acknowledges.
  it('never returns a framed message as unrecognized', () => {
    const unit = fc.constantFrom('\n', '\n\n', '\r', ':', ' ', 'POST', '1764000000', '/webhook', 'x-a: b', '{', '"', '\0', 'é');
    const valid = fc.record({ path: fc.stringMatching(/^\/[!-~]{0,30}$/), body: fc.string({ maxLength: 200 }), requestId: fc.stringMatching(/^[!-~]{0,30}$/) }).map((spec) => makeHttpApiFramedRecord(spec).body);
    const broken = fc.tuple(fc.constantFrom('HttpApiV2SQSLambda 2\n', 'HttpApiV2SQSLambda 2', 'HttpApiV2SQSLambda 1\n', 'HttpApiV2SQSLambda'), fc.string({ unit, maxLength: 300 })).map(([first, rest]) => first + rest);
    const truncated = fc.tuple(valid, fc.nat()).map(([body, cut]) => body.slice(0, 'HttpApiV2SQSLambda'.length + (cut % body.length)));
    const attributes = fc.dictionary(fc.constantFrom('envelopeVersion', 'method', 'requestTime', 'parkReason', 'parkDetail', 'junk'), fc.string({ minLength: 1, maxLength: 20 }));

    fc.assert(
      fc.property(fc.oneof(valid, broken, truncated), attributes, (body, messageAttributes) => {
        let kind: string;
        try {
          kind = decodeRecord(makeSqsRecord({ body, messageAttributes })).kind;
        } catch (error) {
          if (!(error instanceof MessageDecodeError)) throw error;
          kind = `undecodable ${error.shape}`;
        }

        expect(kind).to.be.oneOf(['request', 'undecodable http-api-v2-framed']);
      }),
      { numRuns: 2000 },
    );
  });

  it('still decodes an HTTP API message of version 1 (headers in attributes), sent before the stack moved to version 2', () => {
    const record = makeHttpApiRecord({ path: '/webhook/stripe', body: '{"id":1}', headers: { 'Stripe-Signature': 't=1,v1=ab', 'webhook-id': 'wh_1' } });

    const decoded = decodeRecord(record);

    expect(decoded).to.deep.equal({
      kind: 'request',
      shape: 'http-api-v2',
      request: {
        method: 'POST',
        path: '/webhook/stripe',
        query: [],
        headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=ab', 'webhook-id': 'wh_1' },
        body: Buffer.from('{"id":1}'),
        receivedAt: sampleTime,
        sourceIp: '203.0.113.7',
        requestId: 'JKJaXmPLvHcESHA=',
      },
    });
  });

  it('reads a version 1 message by its attributes even when its body, which the client chose, looks like a frame', () => {
    const forged = 'HttpApiV2SQSLambda 2\nDELETE\nx\n1\n10.0.0.1\n/api/admin\nauthorization: Bearer x\n\n{}';

    const decoded = decodeRecord(makeHttpApiRecord({ path: '/webhook/github', body: forged }));

    expect(decoded.kind === 'request' && [decoded.shape, decoded.request.method, decoded.request.path, decoded.request.body.toString()]).to.deep.equal(['http-api-v2', 'POST', '/webhook/github', forged]);
  });

  it('reads an HTTP API request time in epoch seconds as milliseconds', () => {
    const decoded = decodeRecord(makeHttpApiRecord({ requestTime: '1764000000' }));

    expect(decoded.kind === 'request' && decoded.request.receivedAt).to.equal(1_764_000_000_000);
  });

  it('decodes the legacy v1 shape as POST /webhook, from base64payload or from jsonPayload', () => {
    const fromBase64 = makeSqsRecord({ body: JSON.stringify({ source: 'ApiGatewayV1SQSLambda', jsonPayload: {}, base64payload: Buffer.from('a=1&b=2').toString('base64'), contentType: 'application/x-www-form-urlencoded' }) });
    const fromJson = makeSqsRecord({ body: JSON.stringify({ source: 'ApiGatewayV1SQSLambda', jsonPayload: { id: 'evt' } }) });

    const decoded = [decodeRecord(fromBase64), decodeRecord(fromJson)];

    expect(decoded).to.deep.equal([
      { kind: 'request', shape: 'legacy-v1', request: { method: 'POST', path: '/webhook', query: [], headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('a=1&b=2') } },
      { kind: 'request', shape: 'legacy-v1', request: { method: 'POST', path: '/webhook', query: [], headers: { 'content-type': 'application/json' }, body: Buffer.from('{"id":"evt"}') } },
    ]);
  });

  it('decodes the legacy v2 shape as a JSON POST /webhook, a string MessageBody being the body text', () => {
    const records = [{ id: 1 }, 'plain "text"', null].map((MessageBody) => makeSqsRecord({ body: JSON.stringify({ source: 'HttpApiV2SQSLambda', MessageBody }) }));

    const bodies = records.map((record) => {
      const decoded = decodeRecord(record);
      return decoded.kind === 'request' ? [decoded.shape, decoded.request.method, decoded.request.path, decoded.request.body.toString()] : decoded;
    });

    expect(bodies).to.deep.equal([
      ['legacy-v2', 'POST', '/webhook', '{"id":1}'],
      ['legacy-v2', 'POST', '/webhook', 'plain "text"'],
      ['legacy-v2', 'POST', '/webhook', 'null'],
    ]);
  });

  it('returns any other message as unrecognized, parsed when it is JSON', () => {
    const bodies = ['hello there', '[1,2]', '{"source":"Elsewhere","x":1}', '{"x":1}', ''];

    const decoded = bodies.map((body) => decodeRecord(makeSqsRecord({ body })));

    expect(decoded).to.deep.equal([
      { kind: 'unrecognized', payload: 'hello there' },
      { kind: 'unrecognized', payload: [1, 2] },
      { kind: 'unrecognized', payload: { source: 'Elsewhere', x: 1 } },
      { kind: 'unrecognized', payload: { x: 1 } },
      { kind: 'unrecognized', payload: '' },
    ]);
  });

  it('rejects an HTTP API message with every problem of its attributes', () => {
    const record = makeHttpApiRecord({ method: 'post me', path: 'webhook', requestTime: 'yesterday', headers: { 'x-sig': 'a\r\nInjected: 1', 'bad name': 'v' } });

    const error = decodeError(record);

    expect(error.shape).to.equal('http-api-v2');
    expect(error.problems).to.deep.equal([
      'attribute method must be an HTTP method token',
      'attribute path must start with "/"',
      'attribute requestTime must be epoch seconds or milliseconds',
      'attribute h.x-sig contains CR, LF or NUL',
      'attribute h.bad name does not name a valid HTTP header',
    ]);
  });

  it('rejects an HTTP API message whose attributes are missing', () => {
    const record = makeSqsRecord({ body: 'x', messageAttributes: { source: 'HttpApiV2SQSLambda' } });

    expect(decodeError(record).message).to.equal(
      'Undecodable http-api-v2 message: attribute method must be an HTTP method token; attribute path must start with "/"; attribute requestTime must be epoch seconds or milliseconds',
    );
  });

  it('rejects a legacy v1 message with bad base64, a multi-line content type, or no payload', () => {
    const broken = makeSqsRecord({ body: JSON.stringify({ source: 'ApiGatewayV1SQSLambda', base64payload: 'abc', contentType: 'text/plain\r\nX: 1' }) });
    const empty = makeSqsRecord({ body: JSON.stringify({ source: 'ApiGatewayV1SQSLambda' }) });

    expect([decodeError(broken).problems, decodeError(empty).problems]).to.deep.equal([
      ['base64payload must be a base64 string', 'contentType must be a single-line string'],
      ['jsonPayload or base64payload is required'],
    ]);
  });

  it('rejects a legacy v2 message without MessageBody', () => {
    expect(decodeError(makeSqsRecord({ body: '{"source":"HttpApiV2SQSLambda"}' })).message).to.equal('Undecodable legacy-v2 message: MessageBody is required');
  });
});
