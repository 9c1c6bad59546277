import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { SignatureError } from '../../../shared/signatures/errors.ts';
import { createStripeVerifier } from '../../../shared/signatures/stripe.ts';
import { makeSignedRequest, signStripe } from '../../../factories/signatures.ts';

const secret = 'whsec_test_4eC39HqLyjWDarjtT1zdp7dc';
const body = '{"id":"evt_1QX","object":"event","type":"payment_intent.succeeded"}';
const receivedAt = 1_764_000_000_000;
const signedAt = receivedAt / 1000 - 2;

const request = (header: string | undefined, overrides: { body?: string; receivedAt?: number } = {}) =>
  makeSignedRequest({ body: overrides.body ?? body, headers: header === undefined ? {} : { 'Stripe-Signature': header }, receivedAt: overrides.receivedAt ?? receivedAt });

describe('createStripeVerifier', () => {
  const verify = createStripeVerifier({ secrets: [secret] });

  it('accepts a delivery signed with the secret', () => {
    expect(() => verify(request(signStripe(secret, signedAt, body)))).not.to.throw();
  });

  it('uses the whole whsec_ secret as the HMAC key, unlike Standard Webhooks', () => {
    // Stripe publishes no test vector; this digest was computed with `openssl dgst -sha256 -hmac`.
    const header = 't=1764000000,v1=376a5e68e1eb69a4fde4bcf21dfe20f4d95b8d477e70c13424d6a573e4ab9499';
    const verifyOpenSslVector = createStripeVerifier({ secrets: ['whsec_test_secret'] });

    expect(() => verifyOpenSslVector(request(header, { body: '{"id":"evt_1"}', receivedAt: 1_764_000_100_000 }))).not.to.throw();
  });

  it('accepts any of several v1 signatures, as Stripe sends during a secret roll', () => {
    const header = `t=${signedAt},v1=${'0'.repeat(64)},v1=${signStripe(secret, signedAt, body).split('v1=')[1]},v0=${'f'.repeat(64)}`;

    expect(() => verify(request(header))).not.to.throw();
  });

  it('accepts a delivery signed with either secret while rotating', () => {
    const rotating = createStripeVerifier({ secrets: ['whsec_old', secret] });

    expect(() => rotating(request(signStripe('whsec_old', signedAt, body)))).not.to.throw();
    expect(() => rotating(request(signStripe(secret, signedAt, body)))).not.to.throw();
  });

  it('accepts a delivery received in time and replayed from the queue 20 minutes later', () => {
    const receivedTwentyMinutesAgo = Date.now() - 20 * 60_000;
    const header = signStripe(secret, Math.floor(receivedTwentyMinutesAgo / 1000) - 1, body);

    expect(() => verify(request(header, { receivedAt: receivedTwentyMinutesAgo }))).not.to.throw();
  });

  const rejections: [string, string | undefined, { body?: string; receivedAt?: number }, string, string][] = [
    ['no Stripe-Signature header', undefined, {}, 'signature_missing', 'The stripe-signature header is missing'],
    ['a header without t=', `v1=${'a'.repeat(64)}`, {}, 'signature_malformed', 'Stripe-Signature needs t= and at least one v1='],
    ['a header without v1=', `t=${signedAt},v0=${'a'.repeat(64)}`, {}, 'signature_malformed', 'Stripe-Signature needs t= and at least one v1='],
    ['a signature made with another secret', signStripe('whsec_other', signedAt, body), {}, 'signature_mismatch', 'No Stripe-Signature v1 signature matches the body'],
    ['a body changed by one byte', signStripe(secret, signedAt, body), { body: body.replace('"evt_1QX"', '"evt_1QY"') }, 'signature_mismatch', 'No Stripe-Signature v1 signature matches the body'],
    ['a delivery already stale when API Gateway received it', signStripe(secret, signedAt - 301, body), {}, 'timestamp_out_of_tolerance', 'The signature timestamp is 303 s away from the time the request was received (tolerance 300 s)'],
    ['a timestamp from the future', signStripe(secret, signedAt + 400, body), {}, 'timestamp_out_of_tolerance', 'The signature timestamp is 398 s away from the time the request was received (tolerance 300 s)'],
    ['a signed timestamp that is not Unix seconds', `t=soon,v1=${createHmac('sha256', secret).update(`soon.${body}`).digest('hex')}`, {}, 'timestamp_invalid', 'The signature timestamp "soon" is not Unix seconds'],
  ];
  for (const [name, header, overrides, code, message] of rejections) {
    it(`rejects ${name} with ${code}`, () => {
      expect(() => verify(request(header, overrides)))
        .to.throw(SignatureError, message)
        .with.property('code', code);
    });
  }

  it('answers 401 and never puts a secret or a digest in the message', () => {
    const header = signStripe('whsec_other', signedAt, body);

    const error = captureError(() => verify(request(header)));

    expect(error).to.include({ status: 401, expose: true });
    expect(error.message).not.to.include(secret).and.not.to.include(header.split('v1=')[1]);
  });
});

function captureError(act: () => void): SignatureError {
  try {
    act();
  } catch (error) {
    return error as SignatureError;
  }
  throw new Error('expected an error');
}
