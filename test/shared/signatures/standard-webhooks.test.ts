import { expect } from 'chai';
import { createStandardWebhooksVerifier, isStandardWebhooksSecret } from '../../../shared/signatures/standard-webhooks.ts';
import { SignatureError } from '../../../shared/signatures/errors.ts';
import { makeSignedRequest, signStandardWebhook } from '../../../factories/signatures.ts';

const secret = 'whsec_' + Buffer.from('standard-webhooks-test-key-32-by').toString('base64');
const id = 'msg_2mYQ0aKXJ9c3hT';
const body = '{"type":"invoice.paid","data":{"id":"in_1"}}';
const receivedAt = 1_764_000_000_000;
const signedAt = receivedAt / 1000 - 3;

const headersFor = (signature: string, overrides: { id?: string; timestamp?: number } = {}) => ({
  'webhook-id': overrides.id ?? id,
  'webhook-timestamp': String(overrides.timestamp ?? signedAt),
  'webhook-signature': signature,
});
const request = (headers: Record<string, string>, overrides: { body?: string; receivedAt?: number } = {}) =>
  makeSignedRequest({ body: overrides.body ?? body, headers, receivedAt: overrides.receivedAt ?? receivedAt });

describe('createStandardWebhooksVerifier', () => {
  const verify = createStandardWebhooksVerifier({ secrets: [secret] });

  it('accepts the Standard Webhooks / Svix published test vector', () => {
    // Svix's libraries' sign tests (e.g. svix-webhooks php/tests/WebhookTest.php testSignFunctionWorks).
    const published = createStandardWebhooksVerifier({ secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] });
    const headers = headersFor('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330 });

    expect(() => published(request(headers, { body: '{"test": 2432232314}', receivedAt: 1614265330_000 }))).not.to.throw();
  });

  it('accepts a delivery signed with the secret', () => {
    expect(() => verify(request(headersFor(signStandardWebhook(secret, id, signedAt, body))))).not.to.throw();
  });

  it('accepts a secret without the whsec_ prefix, as the reference libraries do', () => {
    const unprefixed = createStandardWebhooksVerifier({ secrets: [secret.replace('whsec_', '')] });

    expect(() => unprefixed(request(headersFor(signStandardWebhook(secret, id, signedAt, body))))).not.to.throw();
  });

  it('accepts any v1 entry of a space-separated list and skips other versions', () => {
    const signature = `v1a,${'A'.repeat(88)} v1,${Buffer.alloc(32).toString('base64')} ${signStandardWebhook(secret, id, signedAt, body)}`;

    expect(() => verify(request(headersFor(signature)))).not.to.throw();
  });

  it('accepts a delivery signed with either secret while rotating', () => {
    const old = 'whsec_' + Buffer.from('the-old-key').toString('base64');
    const rotating = createStandardWebhooksVerifier({ secrets: [old, secret] });

    expect(() => rotating(request(headersFor(signStandardWebhook(old, id, signedAt, body))))).not.to.throw();
    expect(() => rotating(request(headersFor(signStandardWebhook(secret, id, signedAt, body))))).not.to.throw();
  });

  it("reads Svix's svix-* headers when the webhook-* ones are absent", () => {
    const headers = { 'svix-id': id, 'svix-timestamp': String(signedAt), 'svix-signature': signStandardWebhook(secret, id, signedAt, body) };

    expect(() => verify(request(headers))).not.to.throw();
  });

  it('accepts a delivery received in time and replayed from the queue 20 minutes later', () => {
    const receivedTwentyMinutesAgo = Date.now() - 20 * 60_000;
    const timestamp = Math.floor(receivedTwentyMinutesAgo / 1000);

    expect(() => verify(request(headersFor(signStandardWebhook(secret, id, timestamp, body), { timestamp }), { receivedAt: receivedTwentyMinutesAgo }))).not.to.throw();
  });

  const valid = signStandardWebhook(secret, id, signedAt, body);
  const rejections: [string, Record<string, string>, { body?: string }, string, string][] = [
    ['no webhook-id header', { 'webhook-timestamp': String(signedAt), 'webhook-signature': valid }, {}, 'signature_missing', 'The webhook-id header is missing'],
    ['no webhook-signature header', { 'webhook-id': id, 'webhook-timestamp': String(signedAt) }, {}, 'signature_missing', 'The webhook-signature header is missing'],
    ['a signature list without a v1 entry', headersFor(valid.replace('v1,', 'v2,')), {}, 'signature_malformed', 'webhook-signature has no "v1,<base64>" entry'],
    ['a signature made with another secret', headersFor(signStandardWebhook('whsec_b3RoZXI=', id, signedAt, body)), {}, 'signature_mismatch', 'No webhook-signature v1 signature matches the body'],
    ['a body changed by one byte', headersFor(valid), { body: body.replace('in_1', 'in_2') }, 'signature_mismatch', 'No webhook-signature v1 signature matches the body'],
    ['a signature moved to another message id', headersFor(valid, { id: 'msg_other' }), {}, 'signature_mismatch', 'No webhook-signature v1 signature matches the body'],
    ['a delivery already stale when API Gateway received it', headersFor(signStandardWebhook(secret, id, signedAt - 600, body), { timestamp: signedAt - 600 }), {}, 'timestamp_out_of_tolerance', 'The signature timestamp is 603 s away from the time the request was received (tolerance 300 s)'],
  ];
  for (const [name, headers, overrides, code, message] of rejections) {
    it(`rejects ${name} with ${code}`, () => {
      expect(() => verify(request(headers, overrides)))
        .to.throw(SignatureError, message)
        .with.property('code', code);
    });
  }
});

describe('isStandardWebhooksSecret', () => {
  it('accepts base64 keys with or without whsec_ and rejects anything else', () => {
    const verdicts = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_', 'whsec_not base64!', 'abc'].map(isStandardWebhooksSecret);

    expect(verdicts).to.deep.equal([true, true, false, false, false]);
  });
});
