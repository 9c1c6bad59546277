import { expect } from 'chai';
import { classifyStatus } from '../../../services/worker/outcome.ts';

describe('classifyStatus', () => {
  it('maps every status to the outcome in the README outcome rules', () => {
    const statuses = [100, 200, 201, 202, 204, 299, 301, 304, 400, 401, 403, 404, 408, 409, 413, 415, 422, 429, 499, 500, 502, 503, 504, 599];

    const outcomes = Object.fromEntries(statuses.map((status) => [status, classifyStatus(status)]));

    expect(outcomes).to.deep.equal({
      100: 'park', 200: 'done', 201: 'done', 202: 'done', 204: 'done', 299: 'done', 301: 'park', 304: 'park',
      400: 'park', 401: 'park', 403: 'park', 404: 'park', 408: 'retry', 409: 'retry', 413: 'park', 415: 'park',
      422: 'park', 429: 'retry', 499: 'park', 500: 'retry', 502: 'retry', 503: 'retry', 504: 'retry', 599: 'retry',
    });
  });
});
