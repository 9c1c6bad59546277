import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/errors.ts';
import { providers, type Provider, type ProviderSecrets } from '../../../shared/signatures/secrets.ts';
import { SampleSecretMissingError } from './errors.ts';
import { signGitHub, signShopify, signSlack, signStandardWebhook, signStripe, signTwilio } from './signers.ts';

/** What the console can send: the unverified example route, or a provider's signed webhook. */
export type SampleTarget = 'webhook' | Provider;
export const sampleTargets: readonly SampleTarget[] = ['webhook', ...providers];

interface Sample {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

interface SampleOptions {
  secrets: ProviderSecrets;
  /** The host Twilio signs in the URL; the app's public host. */
  publicHost?: string;
  /** Sign with a key that is not the configured secret, as a forger would. */
  forged?: boolean;
  /** Epoch ms. */
  now?: number;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
// The key a forger uses; a valid whsec_ key, so the signature is well formed and only wrong.
const forgedKey = `whsec_${Buffer.from('not the configured secret').toString('base64')}`;

/**
 * A realistic delivery for the target, shaped like the provider's own (headers and body), and
 * signed with the first configured secret by the provider's scheme, as `stripe trigger` does.
 */
export function buildSample(target: SampleTarget, options: SampleOptions): Sample {
  const now = options.now ?? Date.now();
  const seconds = Math.floor(now / 1000);
  if (target === 'webhook') {
    return { path: '/webhook', headers: { 'content-type': 'application/json' }, body: json({ id: `evt_local_${hex(6)}`, type: 'sample.event', created: seconds, data: { amount: 1250, currency: 'EUR' } }) };
  }
  const secret = options.forged ? forgedKey : options.secrets[target]?.[0];
  if (secret === undefined) throw new SampleSecretMissingError(target);
  const path = `/webhook/${target}`;
  const iso = new Date(now).toISOString();

  switch (target) {
    case 'stripe': {
      const body = json(stripeEvent(seconds));
      return { path, body, headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'stripe-signature': signStripe(secret, seconds, body) } };
    }
    case 'github': {
      const body = json(githubPush(iso));
      return {
        path,
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': `GitHub-Hookshot/${hex(4).slice(0, 7)}`,
          'x-github-event': 'push',
          'x-github-delivery': randomUUID(),
          'x-github-hook-id': '512345678',
          'x-github-hook-installation-target-type': 'repository',
          'x-github-hook-installation-target-id': '812345678',
          'x-hub-signature-256': signGitHub(secret, body),
        },
      };
    }
    case 'twilio': {
      if (!options.publicHost) throw new AppError(409, 'public_host_unknown', 'Twilio signs the public URL, and no public host is configured: set PUBLIC_HOST_NAME');
      const params = twilioInboundSms();
      const body = Buffer.from(new URLSearchParams(params).toString(), 'utf8');
      return {
        path,
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': 'TwilioProxy/1.1',
          'i-twilio-idempotency-token': randomUUID(),
          'x-home-region': 'us1',
          'x-twilio-signature': signTwilio(secret, `https://${options.publicHost}${path}`, params),
        },
      };
    }
    case 'shopify': {
      const body = json(shopifyOrder(iso));
      return {
        path,
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Shopify-Captain-Hook',
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': 'console-sample.myshopify.com',
          'x-shopify-api-version': '2025-01',
          'x-shopify-webhook-id': randomUUID(),
          'x-shopify-event-id': randomUUID(),
          'x-shopify-triggered-at': iso,
          'x-shopify-hmac-sha256': signShopify(secret, body),
        },
      };
    }
    case 'slack': {
      const body = json(slackMention(seconds));
      return {
        path,
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
          'x-slack-request-timestamp': String(seconds),
          'x-slack-signature': signSlack(secret, seconds, body),
        },
      };
    }
    case 'standard': {
      const id = `msg_${hex(12)}`;
      const body = json({ type: 'invoice.paid', timestamp: iso, data: { id: `inv_${hex(8)}`, customer_id: `cus_${hex(7)}`, amount_due: 4900, currency: 'EUR', status: 'paid' } });
      return {
        path,
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Svix-Webhooks/1.0',
          'webhook-id': id,
          'webhook-timestamp': String(seconds),
          'webhook-signature': signStandardWebhook(secret, id, seconds, body),
        },
      };
    }
  }
}

function stripeEvent(created: number): unknown {
  const intent = `pi_${hex(12)}`;
  return {
    id: `evt_${hex(12)}`,
    object: 'event',
    api_version: '2024-06-20',
    created,
    data: {
      object: {
        id: intent,
        object: 'payment_intent',
        amount: 2000,
        amount_received: 2000,
        currency: 'usd',
        customer: `cus_${hex(7)}`,
        description: 'Sample payment from the local console',
        latest_charge: `ch_${hex(12)}`,
        livemode: false,
        metadata: { order_id: '6735' },
        payment_method: `pm_${hex(12)}`,
        payment_method_types: ['card'],
        status: 'succeeded',
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: `req_${hex(7)}`, idempotency_key: randomUUID() },
    type: 'payment_intent.succeeded',
  };
}

function githubPush(timestamp: string): unknown {
  const [before, after] = [hex(20), hex(20)];
  const owner = { login: 'octo-org', id: 6811672, type: 'Organization' };
  const commit = {
    id: after,
    tree_id: hex(20),
    message: 'Retry budget: stop after five receives',
    timestamp,
    url: `https://github.com/octo-org/webhook-intake/commit/${after}`,
    author: { name: 'The Octocat', email: 'octocat@github.com', username: 'octocat' },
    committer: { name: 'GitHub', email: 'noreply@github.com', username: 'web-flow' },
    added: [],
    removed: [],
    modified: ['README.md'],
  };
  return {
    ref: 'refs/heads/main',
    before,
    after,
    repository: { id: 812345678, node_id: 'R_kgDOMGvQPg', name: 'webhook-intake', full_name: 'octo-org/webhook-intake', private: true, owner, html_url: 'https://github.com/octo-org/webhook-intake', default_branch: 'main' },
    pusher: { name: 'octocat', email: 'octocat@github.com' },
    sender: { login: 'octocat', id: 583231, type: 'User' },
    created: false,
    deleted: false,
    forced: false,
    compare: `https://github.com/octo-org/webhook-intake/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits: [commit],
    head_commit: commit,
  };
}

function twilioInboundSms(): Record<string, string> {
  const sid = `SM${hex(16)}`;
  return {
    ToCountry: 'US',
    ToState: 'CA',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: 'SAN FRANCISCO',
    FromZip: '94105',
    SmsSid: sid,
    FromState: 'CA',
    SmsStatus: 'received',
    FromCity: 'SAN FRANCISCO',
    Body: 'Hello from the local console',
    FromCountry: 'US',
    To: '+15558675310',
    MessagingServiceSid: `MG${hex(16)}`,
    ToZip: '94105',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: `AC${hex(16)}`,
    From: '+15017122661',
    ApiVersion: '2010-04-01',
  };
}

function shopifyOrder(createdAt: string): unknown {
  const id = 5981245849843;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    email: 'jon@example.com',
    created_at: createdAt,
    currency: 'USD',
    current_total_price: '199.00',
    financial_status: 'paid',
    name: '#9999',
    order_number: 1234,
    line_items: [{ id: 13253682364723, title: 'IPod Nano - 8GB', quantity: 1, price: '199.00', sku: 'IPOD2008PINK', product_id: 632910392 }],
    customer: { id: 7302564069606, email: 'jon@example.com', first_name: 'Jon', last_name: 'Doe' },
  };
}

function slackMention(eventTime: number): unknown {
  const ts = `${eventTime}.000200`;
  return {
    token: 'XXYYZZ',
    team_id: 'T0001',
    api_app_id: 'A0001',
    event: { type: 'app_mention', user: 'U061F7AUR', text: '<@U0LAN0Z89> is the webhook console working?', ts, channel: 'C0LAN2Q65', event_ts: ts },
    type: 'event_callback',
    event_id: `Ev${hex(5).toUpperCase()}`,
    event_time: eventTime,
    authorizations: [{ team_id: 'T0001', user_id: 'U0LAN0Z89', is_bot: true }],
  };
}
