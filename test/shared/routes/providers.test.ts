import { expect } from 'chai';
import { inject } from 'light-my-request';
import type Koa from 'koa';
import type { ProviderWebhooks } from '../../../shared/routes/providers.ts';
import { makeApp } from '../../../factories/app.ts';
import { signSlack } from '../../../factories/signatures.ts';
import { makeProviderWebhooks, makeSignedDelivery, testSecrets, type SignedDelivery } from '../../../factories/webhooks.ts';

const post = (app: Koa, delivery: SignedDelivery) =>
  inject(app.callback(), { method: 'POST', url: delivery.url, headers: delivery.headers, payload: delivery.body });

function makeProviderApp(webhooks: ProviderWebhooks = makeProviderWebhooks()) {
  return makeApp({ webhooks });
}

describe('providerRoutes', () => {
  // Signed when each test runs, not when the file loads: the whole suite can take longer than
  // the providers' 300 s timestamp tolerance before it reaches these tests.
  const deliveries: [keyof typeof testSecrets, () => SignedDelivery, string][] = [
    ['stripe', () => makeSignedDelivery('stripe', { id: 'evt_abc' }), 'evt_abc'],
    ['github', () => makeSignedDelivery('github', { id: 'gh-delivery-1' }), 'gh-delivery-1'],
    ['twilio', () => makeSignedDelivery('twilio', { id: 'SM111' }), 'SM111'],
    ['twilio', () => makeSignedDelivery('twilio', { id: 'SM222', json: true }), 'SM222'],
    ['shopify', () => makeSignedDelivery('shopify', { id: 'shop-webhook-1' }), 'shop-webhook-1'],
    ['slack', () => makeSignedDelivery('slack', { id: 'Ev123' }), 'Ev123'],
    ['standard', () => makeSignedDelivery('standard', { id: 'msg_123' }), 'msg_123'],
  ];

  for (const [provider, sign, deliveryId] of deliveries) {
    it(`accepts a signed ${provider} delivery${sign().url.includes('bodySHA256') ? ' (JSON)' : ''} once and answers its repeat {"duplicate":true}`, async () => {
      const { app } = makeProviderApp();
      const delivery = sign();

      const first = await post(app, delivery);
      const repeat = await post(app, delivery);

      expect([first.statusCode, first.json()]).to.deep.equal([200, { received: true, provider, deliveryId }]);
      expect([repeat.statusCode, repeat.json()]).to.deep.equal([200, { duplicate: true }]);
    });

    it(`answers 401 signature_missing to an unsigned ${provider} delivery`, async () => {
      const { app } = makeProviderApp();
      const delivery = sign();

      const res = await post(app, { ...delivery, headers: { 'content-type': delivery.headers['content-type'] ?? 'application/json' } });

      expect(res.statusCode).to.equal(401);
      expect(res.json<{ error: { code: string } }>().error.code).to.equal('signature_missing');
    });
  }

  it('prefers I-Twilio-Idempotency-Token over MessageSid as the Twilio delivery id', async () => {
    const { app } = makeProviderApp();
    const delivery = makeSignedDelivery('twilio', { id: 'SM333' });

    const res = await post(app, { ...delivery, headers: { ...delivery.headers, 'i-twilio-idempotency-token': 'ACtoken-1' } });

    expect(res.json()).to.deep.equal({ received: true, provider: 'twilio', deliveryId: 'ACtoken-1' });
  });

  it("keys a Twilio status callback without the token by MessageSid and MessageStatus, so each status runs once", async () => {
    const { app } = makeProviderApp();
    const callback = (status: string) => makeSignedDelivery('twilio', { body: new URLSearchParams({ MessageSid: 'SM444', MessageStatus: status }).toString() });

    const answers = [await post(app, callback('sent')), await post(app, callback('delivered')), await post(app, callback('delivered'))].map((res) => res.json<unknown>());

    expect(answers).to.deep.equal([
      { received: true, provider: 'twilio', deliveryId: 'SM444:sent' },
      { received: true, provider: 'twilio', deliveryId: 'SM444:delivered' },
      { duplicate: true },
    ]);
  });

  it('answers 401 signature_mismatch to a delivery whose body changed by one byte, and does not record it', async () => {
    const { app } = makeProviderApp();
    const delivery = makeSignedDelivery('stripe', { id: 'evt_tampered' });

    const tampered = await post(app, { ...delivery, body: delivery.body.replace('4200', '4201') });
    const genuine = await post(app, delivery);

    expect([tampered.statusCode, tampered.json()]).to.deep.equal([401, { error: { code: 'signature_mismatch', message: 'No Stripe-Signature v1 signature matches the body' } }]);
    expect(genuine.json()).to.deep.equal({ received: true, provider: 'stripe', deliveryId: 'evt_tampered' });
  });

  it('accepts a secret added at rotation as soon as the refreshed secrets carry it', async () => {
    let stripe = ['whsec_previous'];
    const webhooks = { ...makeProviderWebhooks(), secrets: () => Promise.resolve({ stripe }) };
    const { app } = makeProviderApp(webhooks);
    const delivery = makeSignedDelivery('stripe', { id: 'evt_rotated' });

    const before = await post(app, delivery);
    stripe = ['whsec_previous', testSecrets.stripe];
    const after = await post(app, delivery);

    expect([before.statusCode, after.statusCode]).to.deep.equal([401, 200]);
  });

  it('answers 503 signature_secret_not_configured on every provider route when the app has no webhook deps', async () => {
    const { app } = makeApp();

    const statuses = await Promise.all((['stripe', 'github', 'twilio', 'shopify', 'slack', 'standard'] as const).map(async (provider) => {
      const res = await post(app, makeSignedDelivery(provider));
      return [res.statusCode, res.json<{ error: { code: string } }>().error.code];
    }));

    expect(statuses).to.deep.equal(Array.from({ length: 6 }, () => [503, 'signature_secret_not_configured']));
  });

  it('answers 503 on the Twilio route when no public host is configured', async () => {
    const { app } = makeProviderApp(makeProviderWebhooks({ publicHost: null }));

    const res = await post(app, makeSignedDelivery('twilio'));

    expect([res.statusCode, res.json()]).to.deep.equal([503, { error: { code: 'signature_secret_not_configured', message: 'No public host is configured for twilio (PUBLIC_HOST_NAME); its signature covers the URL' } }]);
  });

  it("answers Slack's signed url_verification challenge at once", async () => {
    const { app } = makeProviderApp();
    const body = JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
    const delivery = makeSignedDelivery('slack', { body });

    const first = await post(app, delivery);
    const again = await post(app, delivery);

    expect([first.statusCode, first.json()]).to.deep.equal([200, { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' }]);
    expect(again.json()).to.deep.equal(first.json());
  });

  it('answers 401 to a url_verification challenge signed with another secret', async () => {
    const { app } = makeProviderApp();
    const body = JSON.stringify({ challenge: 'c', type: 'url_verification' });
    const timestamp = Math.floor(Date.now() / 1000);

    const res = await post(app, { url: '/webhook/slack', body, headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signSlack('wrong', timestamp, body) } });

    expect([res.statusCode, res.json<{ error: { code: string } }>().error.code]).to.deep.equal([401, 'signature_mismatch']);
  });

  it('dedupes a repeated Slack action without an event_id by its signed body, and runs a different one', async () => {
    const { app } = makeProviderApp();
    const action = (trigger: string) => makeSignedDelivery('slack', { body: JSON.stringify({ type: 'block_actions', trigger_id: trigger }) });

    const answers = [await post(app, action('t1')), await post(app, action('t1')), await post(app, action('t2'))].map((res) => res.json<unknown>());

    expect(answers).to.deep.equal([{ received: true, provider: 'slack', deliveryId: null }, { duplicate: true }, { received: true, provider: 'slack', deliveryId: null }]);
  });

  // A captured, validly signed delivery sent again: its delivery-id header is signed by nothing.
  const deliveryIdHeaders = { github: 'x-github-delivery', shopify: 'x-shopify-webhook-id', twilio: 'i-twilio-idempotency-token' } as const;
  for (const [provider, idHeader] of Object.entries(deliveryIdHeaders) as [keyof typeof deliveryIdHeaders, string][]) {
    it(`answers a captured ${provider} delivery resent with a new ${idHeader}, or none, {"duplicate":true}`, async () => {
      const { app } = makeProviderApp();
      const captured = makeSignedDelivery(provider, { id: 'first' });
      const withoutId = Object.fromEntries(Object.entries(captured.headers).filter(([name]) => name !== idHeader));

      const answers = [
        await post(app, captured),
        await post(app, { ...captured, headers: { ...captured.headers, [idHeader]: 'brand-new-id' } }),
        await post(app, { ...captured, headers: withoutId }),
      ].map((res) => res.json<{ duplicate?: boolean }>().duplicate ?? false);

      expect(answers).to.deep.equal([false, true, true]);
    });
  }

  // Twilio signs its fields as sorted name+value text, not the body's bytes: each of these
  // bodies carries the captured signature.
  it('answers a captured Twilio delivery resent with its fields reordered, repeated, re-encoded or re-split {"duplicate":true}', async () => {
    const { app } = makeProviderApp();
    const captured = makeSignedDelivery('twilio', { id: 'SM555' });
    const pairs = captured.body.split('&');
    const resent = [
      [...pairs].reverse().join('&'),
      `${captured.body}&${pairs[0]}`,
      captured.body.replaceAll('+', '%20'),
      captured.body.replace('MessageSid=SM', 'MessageSid=%53M'),
      // Name and value are concatenated unseparated: `MessageSi=dSM555` signs as `MessageSid=SM555`.
      captured.body.replace('MessageSid=SM', 'MessageSi=dSM'),
    ];

    const first = await post(app, captured);
    const answers = await Promise.all(resent.map((body) => post(app, { ...captured, body })));

    expect(first.json()).to.deep.equal({ received: true, provider: 'twilio', deliveryId: 'SM555' });
    expect(answers.map((res) => [res.statusCode, res.json<unknown>()])).to.deep.equal(resent.map(() => [200, { duplicate: true }]));
  });

  // Content-Type is signed by no provider: the id must be read from the signed bytes whatever it says.
  for (const provider of ['stripe', 'slack'] as const) {
    it(`answers a captured ${provider} delivery resent under another Content-Type, or none, {"duplicate":true}`, async () => {
      const { app } = makeProviderApp();
      const captured = makeSignedDelivery(provider, { id: 'captured' });
      const withoutType = Object.fromEntries(Object.entries(captured.headers).filter(([name]) => name !== 'content-type'));
      const headers = [{ ...captured.headers, 'content-type': 'text/plain' }, { ...captured.headers, 'content-type': 'application/x-www-form-urlencoded' }, withoutType];

      const first = await post(app, captured);
      const answers = await Promise.all(headers.map((resent) => post(app, { ...captured, headers: resent })));

      expect(first.json()).to.deep.equal({ received: true, provider, deliveryId: 'captured' });
      expect(answers.map((res) => [res.statusCode, res.json<unknown>()])).to.deep.equal(headers.map(() => [200, { duplicate: true }]));
    });
  }

  for (const provider of ['stripe', 'slack', 'standard'] as const) {
    it(`answers a ${provider} retry, signed again with a later timestamp, {"duplicate":true}`, async () => {
      const { app } = makeProviderApp();
      const now = Math.floor(Date.now() / 1000);

      const first = await post(app, makeSignedDelivery(provider, { id: 'retried', timestamp: now - 60 }));
      const retry = await post(app, makeSignedDelivery(provider, { id: 'retried', timestamp: now }));

      expect([first.json<{ duplicate?: boolean }>().duplicate, retry.json()]).to.deep.equal([undefined, { duplicate: true }]);
    });
  }
});
