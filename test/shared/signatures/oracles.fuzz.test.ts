// The verifiers against the providers' own signing code, used here as oracles (devDependencies
// only: the last test proves the built bundles hold none of it), and against hostile input.
import { readFileSync } from 'node:fs';
import { sign as signGitHubOracle } from '@octokit/webhooks-methods';
import { expect } from 'chai';
import fc from 'fast-check';
import { inject } from 'light-my-request';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import twilio from 'twilio';
import { SignatureError } from '../../../shared/signatures/errors.ts';
import { createGitHubVerifier } from '../../../shared/signatures/github.ts';
import { createShopifyVerifier } from '../../../shared/signatures/shopify.ts';
import { createSlackVerifier } from '../../../shared/signatures/slack.ts';
import { createStandardWebhooksVerifier } from '../../../shared/signatures/standard-webhooks.ts';
import { createStripeVerifier } from '../../../shared/signatures/stripe.ts';
import { createTwilioVerifier } from '../../../shared/signatures/twilio.ts';
import type { Verifier } from '../../../shared/signatures/verifier.ts';
import { makeApp } from '../../../factories/app.ts';
import { makeSignedRequest } from '../../../factories/signatures.ts';
import { makeProviderWebhooks, testPublicHost, testSecrets } from '../../../factories/webhooks.ts';
import { ensureBuilt } from '../../helpers/build.ts';
import { expectLinear } from '../../helpers/linear-cost.ts';

const stripe = new Stripe('sk_test_oracle');
const receivedAt = 1_764_000_000_000;
const signedAt = receivedAt / 1000;
const body = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.json());
const codes = ['signature_missing', 'signature_malformed', 'signature_mismatch', 'timestamp_invalid', 'timestamp_out_of_tolerance', 'body_hash_mismatch'];

/** What a verifier did: accepted, or rejected with a SignatureError's code. Anything else throws on. */
function outcome(verify: Verifier, request: Parameters<Verifier>[0]): string {
  try {
    verify(request);
    return 'accepted';
  } catch (error) {
    if (error instanceof SignatureError) return error.code;
    throw error;
  }
}

describe('signature verifiers against the providers’ own signing code', () => {
  it("accepts what Stripe's generateTestHeaderString signs, for any body", () => {
    const verify = createStripeVerifier({ secrets: [testSecrets.stripe] });
    fc.assert(
      fc.property(body, fc.integer({ min: -300, max: 300 }), (payload, skew) => {
        const header = stripe.webhooks.generateTestHeaderString({ payload, secret: testSecrets.stripe, timestamp: signedAt + skew });

        expect(outcome(verify, makeSignedRequest({ body: payload, headers: { 'stripe-signature': header }, receivedAt }))).to.equal('accepted');
      }),
    );
  });

  it("accepts what @octokit/webhooks-methods signs, for any body", async () => {
    const verify = createGitHubVerifier({ secrets: [testSecrets.github] });
    await fc.assert(
      // The library refuses an empty payload; GitHub never sends one.
      fc.asyncProperty(body.filter((payload) => payload !== ''), async (payload) => {
        const signature = await signGitHubOracle(testSecrets.github, payload);

        expect(outcome(verify, makeSignedRequest({ body: payload, headers: { 'x-hub-signature-256': signature } }))).to.equal('accepted');
      }),
    );
  });

  it("accepts what twilio's getExpectedTwilioSignature signs, for any parameters and query", () => {
    const verify = createTwilioVerifier({ secrets: [testSecrets.twilio], publicHost: testPublicHost });
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,12}$/);
    fc.assert(
      fc.property(fc.dictionary(name, fc.string({ maxLength: 40 }), { maxKeys: 8 }), fc.option(fc.tuple(name, fc.stringMatching(/^[a-z0-9:,]{0,10}$/))), (params, query) => {
        const path = query ? `/webhook/twilio?${query[0]}=${query[1]}` : '/webhook/twilio';
        const signature = twilio.getExpectedTwilioSignature(testSecrets.twilio, `https://${testPublicHost}${path}`, params);

        const request = makeSignedRequest({ url: path, body: new URLSearchParams(params).toString(), headers: { 'x-twilio-signature': signature } });
        expect(outcome(verify, request)).to.equal('accepted');
        expect(twilio.validateRequest(testSecrets.twilio, signature, `https://${testPublicHost}${path}`, params)).to.equal(true);
      }),
    );
  });

  it('accepts what the standardwebhooks reference library signs, for any body and message id', () => {
    const verify = createStandardWebhooksVerifier({ secrets: [testSecrets.standard] });
    const oracle = new Webhook(testSecrets.standard);
    fc.assert(
      fc.property(body, fc.stringMatching(/^msg_[A-Za-z0-9]{1,24}$/), (payload, id) => {
        const signature = oracle.sign(id, new Date(receivedAt), payload);

        const headers = { 'webhook-id': id, 'webhook-timestamp': String(signedAt), 'webhook-signature': signature };
        expect(outcome(verify, makeSignedRequest({ body: payload, headers, receivedAt }))).to.equal('accepted');
      }),
    );
  });
});

describe('signature verifiers against hostile input', () => {
  const verifiers: [string, Verifier, string[]][] = [
    ['stripe', createStripeVerifier({ secrets: [testSecrets.stripe] }), ['stripe-signature']],
    ['github', createGitHubVerifier({ secrets: [testSecrets.github] }), ['x-hub-signature-256']],
    ['twilio', createTwilioVerifier({ secrets: [testSecrets.twilio], publicHost: testPublicHost }), ['x-twilio-signature']],
    ['shopify', createShopifyVerifier({ secrets: [testSecrets.shopify] }), ['x-shopify-hmac-sha256']],
    ['slack', createSlackVerifier({ secrets: [testSecrets.slack] }), ['x-slack-signature', 'x-slack-request-timestamp']],
    ['standard', createStandardWebhooksVerifier({ secrets: [testSecrets.standard] }), ['webhook-id', 'webhook-timestamp', 'webhook-signature']],
  ];
  // Shapes of the real headers with random parts, and random text, including huge.
  const headerValue = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.stringMatching(/^(t=\d{0,12},)?(v1=[0-9a-f]{0,64},?){0,5}$/),
    fc.stringMatching(/^sha256=[0-9a-f]{0,64}$/),
    fc.stringMatching(/^(v1,[A-Za-z0-9+/=]{0,44} ?){0,4}$/),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => 'v1='.repeat(n)),
  );

  for (const [provider, verify, names] of verifiers) {
    it(`never accepts ${provider} input it did not sign, and rejects it with a reason code, never another error`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.constantFrom(...names), headerValue), { maxLength: 4 }), body, fc.string({ maxLength: 40 }), (pairs, payload, query) => {
          const request = makeSignedRequest({ body: payload, headers: Object.fromEntries(pairs), url: `/webhook/${provider}?${query}`, receivedAt });

          expect(codes).to.include(outcome(verify, request));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('answers any request to a provider route 4xx with a JSON error code: never 2xx unsigned, never 5xx', async () => {
    const { app } = makeApp({ webhooks: makeProviderWebhooks() });
    const callback = app.callback();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...verifiers.map(([provider, , names]) => [provider, names] as const)),
        fc.array(headerValue, { maxLength: 3 }),
        body,
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'),
        async ([provider, names], values, payload, contentType) => {
          const headers = { 'content-type': contentType, ...Object.fromEntries(values.map((value, i) => [names[i % names.length], value.replace(/[\r\n\0]/g, '')])) };

          const res = await inject(callback, { method: 'POST', url: `/webhook/${provider}`, headers, payload });

          expect(res.statusCode, res.body).to.be.within(400, 499);
          expect(res.json<{ error: { code: string } }>().error.code).to.be.a('string');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('costs linear time in the signature header and the parameters', function () {
    this.timeout(60_000);
    const stripeVerify = createStripeVerifier({ secrets: [testSecrets.stripe] });
    const standardVerify = createStandardWebhooksVerifier({ secrets: [testSecrets.standard] });
    const twilioVerify = createTwilioVerifier({ secrets: [testSecrets.twilio], publicHost: testPublicHost });
    const rejected = (verify: Verifier) => (request: Parameters<Verifier>[0]) => outcome(verify, request);

    expectLinear('Stripe v1 entries', (n) => makeSignedRequest({ body: '{}', receivedAt, headers: { 'stripe-signature': `t=${signedAt},${`v1=${'a'.repeat(64)},`.repeat(n)}` } }), rejected(stripeVerify), 500);
    expectLinear('Standard Webhooks entries', (n) => makeSignedRequest({ body: '{}', receivedAt, headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(signedAt), 'webhook-signature': `v1,${'A'.repeat(44)} `.repeat(n) } }), rejected(standardVerify), 500);
    expectLinear('Twilio parameters', (n) => makeSignedRequest({ body: Array.from({ length: n }, (_, i) => `P${i}=v&P=${i}`).join('&'), headers: { 'x-twilio-signature': 'x' } }), rejected(twilioVerify), 2000);
  });
});

describe('the built bundles', () => {
  it('hold none of the providers’ libraries used as test oracles', () => {
    ensureBuilt(['dist/http.mjs', 'dist/worker.mjs']);
    const { inputs } = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as { inputs: Record<string, unknown> };

    const oracles = Object.keys(inputs).filter((path) => /node_modules\/(stripe|twilio|standardwebhooks|@octokit\/webhooks-methods)\//.test(path));

    expect(Object.keys(inputs).length).to.be.above(50);
    expect(oracles).to.deep.equal([]);
  });
});
