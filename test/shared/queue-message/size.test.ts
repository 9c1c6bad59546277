import { expect } from 'chai';
import fc from 'fast-check';
import { encodeRestEnvelope } from '../../../shared/queue-message/envelope.ts';
import type { ReplayRequest } from '../../../shared/queue-message/replay-request.ts';
import { guaranteedBodyBytes, sqsMaxMessageBytes } from '../../../shared/queue-message/size.ts';
import { makeReplayRequest } from '../../../factories/sqs.ts';

/** Bytes of request line and header values as API Gateway counts them against its 10,240. */
function requestLineAndHeaderBytes(request: ReplayRequest): number {
  const target = request.rawQuery === undefined ? request.path : `${request.path}?${request.rawQuery}`;
  const line = `${request.method} ${target} HTTP/1.1\r\n`;
  return Buffer.byteLength(line + Object.entries(request.headers).map(([name, value]) => `${name}: ${value}\r\n`).join(''));
}

/** A request with the given query and headers, the longest gateway values and the guaranteed body. */
function makeWorstRequest(rawQuery: string, headers: Record<string, string>): ReplayRequest {
  return makeReplayRequest({
    path: '/webhook/x',
    query: [...new URLSearchParams(rawQuery)],
    rawQuery,
    headers,
    body: Buffer.alloc(guaranteedBodyBytes(), 0xff),
    requestId: 'r'.repeat(64),
    sourceIp: 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255',
    domainName: 'd'.repeat(253),
    stage: 's'.repeat(128),
  });
}

describe('guaranteedBodyBytes', () => {
  it('is 747,264 bytes for SQS’s 1 MiB message', () => {
    expect(guaranteedBodyBytes(sqsMaxMessageBytes)).to.equal(747_264);
  });

  it('fits in one message with the worst request line and headers API Gateway lets through', () => {
    // Two-letter query keys without a value grow most (3 bytes to 14); one-letter headers next.
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const keys = Array.from({ length: 3300 }, (_, i) => `${letters[i % 62]}${letters[Math.floor(i / 62)]}`);
    const worst = [
      makeWorstRequest(keys.join('&'), {}),
      makeWorstRequest('', Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`h${i}`, 'v']))),
    ];

    for (const request of worst) {
      expect(requestLineAndHeaderBytes(request)).to.be.at.most(10_240);
      expect(Buffer.byteLength(encodeRestEnvelope(request))).to.be.at.most(sqsMaxMessageBytes);
    }
  });

  it('fits in one message for any query and headers within API Gateway’s 10,240 bytes', () => {
    const token = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(token, fc.stringMatching(/^[a-z0-9%:,]{0,6}$/)), { maxLength: 1500 }),
        fc.uniqueArray(fc.tuple(token, fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).filter((v) => !/[\r\n]/.test(v))), { selector: ([name]) => name, maxLength: 600 }),
        (pairs, headers) => {
          const request = makeWorstRequest(pairs.map(([key, value]) => (value === '' ? key : `${key}=${value}`)).join('&'), Object.fromEntries(headers));
          fc.pre(requestLineAndHeaderBytes(request) <= 10_240);

          expect(Buffer.byteLength(encodeRestEnvelope(request))).to.be.at.most(sqsMaxMessageBytes);
        },
      ),
      { numRuns: 60 },
    );
  });
});
