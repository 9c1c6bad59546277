import { MemoryPersistenceLayer } from '../shared/idempotency/memory-store.ts';
import type { IdempotencyStore } from '../shared/idempotency/store.ts';
import type { ProviderWebhooks } from '../shared/routes/providers.ts';
import type { ProviderSecrets } from '../shared/signatures/secrets.ts';
import { signGitHub, signShopify, signSlack, signStandardWebhook, signStripe, signTwilio, twilioBodyHash } from './signatures.ts';

/** One secret per provider, in each provider's own format. */
export const testSecrets = {
  stripe: 'whsec_test_stripe_secret',
  github: 'github-webhook-secret',
  twilio: 'twilio-auth-token-0123456789abcdef',
  shopify: 'shpss_shopify_client_secret',
  slack: 'slack-signing-secret',
  standard: 'whsec_' + Buffer.from('standard-webhooks-signing-key-32').toString('base64'),
} as const;

export const testPublicHost = 'hooks.example.com';

/** The provider routes' deps with test secrets, the test public host and an in-memory store. */
export function makeProviderWebhooks(overrides: { secrets?: ProviderSecrets; publicHost?: string | null; store?: IdempotencyStore } = {}): ProviderWebhooks {
  const secrets = overrides.secrets ?? Object.fromEntries(Object.entries(testSecrets).map(([provider, secret]) => [provider, [secret]]));
  const publicHost = overrides.publicHost === null ? undefined : (overrides.publicHost ?? testPublicHost);
  return {
    secrets: () => Promise.resolve(secrets),
    publicHost: () => Promise.resolve(publicHost),
    idempotency: { store: overrides.store ?? new MemoryPersistenceLayer(), expiresAfterSeconds: 3600 },
  };
}

export interface SignedDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface DeliverySpec {
  /** The provider's delivery id (Stripe: the event id in the body). */
  id?: string;
  /** Signing time, Unix seconds; now by default. */
  timestamp?: number;
  /** Replaces the body the factory would sign. */
  body?: string;
  /** Twilio only: the JSON variant with bodySHA256 in the URL instead of a form. */
  json?: boolean;
}

/** A delivery as each provider sends it, signed with `testSecrets` (Twilio: over `testPublicHost`). */
export function makeSignedDelivery(provider: keyof typeof testSecrets, spec: DeliverySpec = {}): SignedDelivery {
  const timestamp = spec.timestamp ?? Math.floor(Date.now() / 1000);
  const json = { 'content-type': 'application/json' };
  switch (provider) {
    case 'stripe': {
      const body = spec.body ?? JSON.stringify({ id: spec.id ?? 'evt_1QXtest', object: 'event', type: 'payment_intent.succeeded', data: { object: { amount: 4200 } } });
      return { url: '/webhook/stripe', headers: { ...json, 'stripe-signature': signStripe(testSecrets.stripe, timestamp, body) }, body };
    }
    case 'github': {
      const body = spec.body ?? JSON.stringify({ action: 'opened', number: 42 });
      const id = spec.id ?? '72d3162e-cc78-11e3-81ab-4c9367dc0958';
      return { url: '/webhook/github', headers: { ...json, 'x-github-event': 'pull_request', 'x-github-delivery': id, 'x-hub-signature-256': signGitHub(testSecrets.github, body) }, body };
    }
    case 'twilio': {
      const id = spec.id ?? 'SM0123456789abcdef0123456789abcdef';
      if (spec.json) {
        const body = spec.body ?? JSON.stringify({ MessageSid: id, Body: 'Hi + bye & ciao' });
        const url = `/webhook/twilio?bodySHA256=${twilioBodyHash(body)}`;
        return { url, headers: { ...json, 'x-twilio-signature': signTwilio(testSecrets.twilio, `https://${testPublicHost}${url}`) }, body };
      }
      const params = { MessageSid: id, From: '+15551230000', To: '+15557650000', Body: 'Hi + bye & ciao' };
      const body = spec.body ?? new URLSearchParams(params).toString();
      const signature = signTwilio(testSecrets.twilio, `https://${testPublicHost}/webhook/twilio`, Object.fromEntries(new URLSearchParams(body)));
      return { url: '/webhook/twilio', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body };
    }
    case 'shopify': {
      const body = spec.body ?? JSON.stringify({ id: 820982911, email: 'jon@example.com' });
      const id = spec.id ?? 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043';
      return { url: '/webhook/shopify', headers: { ...json, 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': 'shop.myshopify.com', 'x-shopify-webhook-id': id, 'x-shopify-hmac-sha256': signShopify(testSecrets.shopify, body) }, body };
    }
    case 'slack': {
      const body = spec.body ?? JSON.stringify({ type: 'event_callback', event_id: spec.id ?? 'Ev08MFMKH6', event: { type: 'app_mention', text: 'hi' } });
      return { url: '/webhook/slack', headers: { ...json, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signSlack(testSecrets.slack, timestamp, body) }, body };
    }
    case 'standard': {
      const body = spec.body ?? JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1' } });
      const id = spec.id ?? 'msg_2mYQ0aKXJ9c3hT';
      return { url: '/webhook/standard', headers: { ...json, 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook(testSecrets.standard, id, timestamp, body) }, body };
    }
  }
}
