import { expect } from 'chai';
import type { Attempt } from '../../../../services/local/console/journal.ts';
import { idempotencyVerdict, providerOf, signatureVerdict } from '../../../../services/local/console/verdicts.ts';

function makeAttempt(status: number | undefined, body?: unknown): Attempt {
  return {
    messageId: 'm-1', receiveCount: 1, outcome: 'done', durationMs: 1, at: 0, via: 'queue',
    ...(status === undefined ? {} : { status }),
    ...(body === undefined ? {} : { answer: { contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) } }),
  };
}

const error = (code: string) => ({ error: { code, message: '…' } });

describe('signatureVerdict', () => {
  const cases: [string, string, Attempt | undefined, string, string | undefined][] = [
    ['a 2xx answer', '/webhook/stripe', makeAttempt(200, { received: true }), 'valid', undefined],
    ['a 401 with a signature reason', '/webhook/github', makeAttempt(401, error('signature_mismatch')), 'rejected', 'signature_mismatch'],
    ['a stale timestamp', '/webhook/slack', makeAttempt(401, error('timestamp_out_of_tolerance')), 'rejected', 'timestamp_out_of_tolerance'],
    ['no secret configured', '/webhook/twilio', makeAttempt(503, error('signature_secret_not_configured')), 'no-secret', 'signature_secret_not_configured'],
    ['the guard answering after the check', '/webhook/standard', makeAttempt(409, error('delivery_in_progress')), 'valid', undefined],
    ['an answer from before any check', '/webhook/shopify', makeAttempt(400, error('invalid_json')), 'unknown', 'invalid_json'],
    ['no try yet', '/webhook/stripe', undefined, 'pending', undefined],
    ['the unverified route', '/webhook', makeAttempt(200, {}), 'not-checked', undefined],
    ['an unknown provider path', '/webhook/paypal', makeAttempt(404, error('not_found')), 'not-checked', undefined],
  ];
  for (const [name, path, attempt, verdict, code] of cases) {
    it(`reads ${name} as ${verdict}`, () => {
      const result = signatureVerdict(path, attempt);

      expect([result.verdict, result.code]).to.deep.equal([verdict, code]);
    });
  }

  it('names the variable that holds the missing secret', () => {
    expect(signatureVerdict('/webhook/twilio', makeAttempt(503, error('signature_secret_not_configured'))).note).to.equal('No twilio secret is configured: set TWILIO_AUTH_TOKENS');
  });
});

describe('idempotencyVerdict', () => {
  const cases: [string, string, Attempt | undefined, string][] = [
    ['a first delivery', '/webhook/stripe', makeAttempt(200, { received: true, provider: 'stripe', deliveryId: 'evt_1' }), 'first'],
    ['a repeat', '/webhook/stripe', makeAttempt(200, { duplicate: true }), 'duplicate'],
    ['a delivery with no id', '/webhook/slack', makeAttempt(200, { received: true, provider: 'slack', deliveryId: null }), 'no-id'],
    ['a delivery held by another run', '/webhook/github', makeAttempt(409, error('delivery_in_progress')), 'in-progress'],
    ['a failed store', '/webhook/github', makeAttempt(503, error('idempotency_store_unavailable')), 'unavailable'],
    ['a rejected signature', '/webhook/github', makeAttempt(401, error('signature_mismatch')), 'not-reached'],
    ['an answer that is not JSON', '/webhook/github', { ...makeAttempt(200), answer: { contentType: 'text/plain', body: 'ok' } }, 'unknown'],
    ['no try yet', '/webhook/github', undefined, 'pending'],
    ['the unverified route', '/webhook', makeAttempt(200, {}), 'not-applicable'],
  ];
  for (const [name, path, attempt, verdict] of cases) {
    it(`reads ${name} as ${verdict}`, () => {
      expect(idempotencyVerdict(path, attempt).verdict).to.equal(verdict);
    });
  }
});

describe('providerOf', () => {
  it('names the provider of a provider route only', () => {
    expect(['/webhook/stripe', '/webhook', '/webhook/stripe/x', '/webhook/STRIPE', undefined].map(providerOf)).to.deep.equal(['stripe', undefined, undefined, undefined, undefined]);
  });
});
