import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { createDeliveryGuard, type DeliveryGuardOptions, type DeliveryIdReader, type IdempotencyKeyReader } from '../idempotency/delivery-guard.ts';
import { ServiceUnavailableError } from '../errors.ts';
import { MemoryPersistenceLayer } from '../idempotency/memory-store.ts';
import { createGitHubVerifier } from '../signatures/github.ts';
import { verifySignature } from '../signatures/middleware.ts';
import type { Provider, ProviderSecrets } from '../signatures/secrets.ts';
import { createShopifyVerifier } from '../signatures/shopify.ts';
import { createSlackVerifier } from '../signatures/slack.ts';
import { createStandardWebhooksVerifier } from '../signatures/standard-webhooks.ts';
import { createStripeVerifier } from '../signatures/stripe.ts';
import { createTwilioVerifier, twilioSignedParams } from '../signatures/twilio.ts';
import type { Verifier } from '../signatures/verifier.ts';

/** What the provider routes need; `createConfiguredApp` builds it from the config. */
export interface ProviderWebhooks {
  secrets: () => Promise<ProviderSecrets>;
  /** The host name in the webhook URLs given to the providers; Twilio signs it. */
  publicHost: () => Promise<string | undefined>;
  idempotency: DeliveryGuardOptions;
}

interface ProviderRoute {
  provider: Provider;
  /** Throws `ServiceUnavailableError` when the provider needs more than its secrets. */
  verifier: (secrets: readonly string[], publicHost: string | undefined) => Verifier;
  /**
   * The idempotency key: from what the signature covers, the same on the provider's retries
   * (README "Provider webhooks", Idempotency, says why per provider).
   */
  idempotencyKey: IdempotencyKeyReader;
  /** The provider's id of this delivery, for logs and the answer; not always signed. */
  deliveryId: DeliveryIdReader;
  /** A signed request the provider wants answered at once, not run as a delivery. */
  challenge?: Middleware;
}

const header = (ctx: Context, name: string) => ctx.get(name) || undefined;
const bodyField = (ctx: Context, name: string) => stringField(ctx.request.body, name);
// Read from the signed bytes whatever Content-Type says: no signature covers that header, so a
// captured delivery resent as text/plain would otherwise lose its id, get a key of its own, and run again.
const signedJsonField = (ctx: Context, name: string) => stringField(ctx.request.is(['json', '+json']) ? ctx.request.body : parseJson(ctx.request.rawBody), name);

function stringField(body: unknown, name: string): string | undefined {
  const value = typeof body === 'object' && body !== null && Object.hasOwn(body, name) ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    // Not JSON (a Slack slash command is a form): the caller falls back to the body's digest.
    return undefined;
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
// GitHub and Shopify sign the body alone and send the same bytes again on a redelivery; their
// delivery-id headers are signed by nothing, so a captured delivery resent with a new id would
// run again if the key were the header.
const bodyDigest = (ctx: Context) => `sha256:${sha256(ctx.request.rawBody)}`;
// Twilio signs the URL, query included, and the parameters as sorted text, not the body's bytes:
// the key is that text (or, for JSON, the body its bodySHA256 pins), so a capture resent with its
// fields reordered, repeated or re-encoded is the same delivery. The query's pairs, sorted, stand
// for the URL: their spelling may change on the way (a replay rebuilds it from decoded pairs).
const twilioDigest = (ctx: Context) => {
  const pairs = [...new URLSearchParams(ctx.querystring)];
  const query = new URLSearchParams(pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))).toString();
  const signed = pairs.some(([name]) => name === 'bodySHA256') ? ctx.request.rawBody : Buffer.from(twilioSignedParams(ctx.request.rawBody), 'utf8');
  return `sha256:${sha256(Buffer.concat([Buffer.from(`${query}\n`, 'utf8'), signed]))}`;
};

// A message's status callbacks (sent, delivered…) share its MessageSid: each status is its own delivery.
const twilioMessageKey = (ctx: Context) => {
  const sid = bodyField(ctx, 'MessageSid');
  const status = bodyField(ctx, 'MessageStatus');
  return sid && status ? `${sid}:${status}` : sid;
};

// Slack checks a new Events API URL with a signed challenge it wants echoed at once; it cannot
// come through the queue, so infra routes /webhook/slack to the http function.
const slackUrlVerification: Middleware = async (ctx, next) => {
  const body = ctx.request.body as { type?: unknown; challenge?: unknown } | undefined;
  if (body?.type === 'url_verification') ctx.body = { challenge: body.challenge };
  else await next();
};

// Stripe and Slack sign a timestamp that changes on each retry, with the body: the event id in
// the signed body is the key. Standard Webhooks signs its webhook-id header itself.
const routes: readonly ProviderRoute[] = [
  {
    provider: 'stripe',
    verifier: (secrets) => createStripeVerifier({ secrets }),
    idempotencyKey: (ctx) => signedJsonField(ctx, 'id') ?? bodyDigest(ctx),
    deliveryId: (ctx) => bodyField(ctx, 'id'),
  },
  {
    provider: 'github',
    verifier: (secrets) => createGitHubVerifier({ secrets }),
    idempotencyKey: bodyDigest,
    deliveryId: (ctx) => header(ctx, 'x-github-delivery'),
  },
  {
    provider: 'twilio',
    verifier: (secrets, publicHost) => {
      // Twilio signs the whole URL it called, so without the public host no signature can match.
      if (!publicHost) throw new ServiceUnavailableError('signature_secret_not_configured', 'No public host is configured for twilio (PUBLIC_HOST_NAME); its signature covers the URL');
      return createTwilioVerifier({ secrets, publicHost });
    },
    idempotencyKey: twilioDigest,
    deliveryId: (ctx) => header(ctx, 'i-twilio-idempotency-token') ?? twilioMessageKey(ctx),
  },
  {
    provider: 'shopify',
    verifier: (secrets) => createShopifyVerifier({ secrets }),
    idempotencyKey: bodyDigest,
    deliveryId: (ctx) => header(ctx, 'x-shopify-webhook-id'),
  },
  {
    provider: 'slack',
    verifier: (secrets) => createSlackVerifier({ secrets }),
    // Slash commands and interactivity carry no event id; their body's trigger_id is unique.
    idempotencyKey: (ctx) => signedJsonField(ctx, 'event_id') ?? bodyDigest(ctx),
    deliveryId: (ctx) => bodyField(ctx, 'event_id'),
    challenge: slackUrlVerification,
  },
  {
    provider: 'standard',
    verifier: (secrets) => createStandardWebhooksVerifier({ secrets }),
    // The verifier reads webhook-id, else svix-id: the one it read is in the signed payload.
    idempotencyKey: (ctx) => header(ctx, 'webhook-id') ?? header(ctx, 'svix-id') ?? bodyDigest(ctx),
    deliveryId: (ctx) => header(ctx, 'webhook-id') ?? header(ctx, 'svix-id'),
  },
];

/**
 * `POST /webhook/{stripe,github,twilio,shopify,slack,standard}`: the signature is verified over
 * the exact body bytes, then each delivery runs once. Without `webhooks` every route answers
 * 503 (no secret configured). The handler at the end is where a provider's events are handled.
 */
export function providerRoutes(webhooks?: ProviderWebhooks): Router {
  const { secrets, publicHost, idempotency } = webhooks ?? unconfigured();
  const guard = createDeliveryGuard(idempotency);
  const router = new Router();

  for (const route of routes) {
    const verifierFor = async () => {
      const list = (await secrets())[route.provider];
      return list && list.length > 0 ? route.verifier(list, await publicHost()) : undefined;
    };
    const steps = [verifySignature(route.provider, verifierFor), ...(route.challenge ? [route.challenge] : []), guard(route.provider, route.idempotencyKey, route.deliveryId)];
    router.post(`/webhook/${route.provider}`, ...steps, (ctx) => {
      ctx.body = { received: true, provider: route.provider, deliveryId: route.deliveryId(ctx) ?? null };
    });
  }
  return router;
}

function unconfigured(): ProviderWebhooks {
  return {
    secrets: () => Promise.resolve({}),
    publicHost: () => Promise.resolve(undefined),
    idempotency: { store: new MemoryPersistenceLayer(), expiresAfterSeconds: 3600 },
  };
}
