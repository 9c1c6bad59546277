import { checkJsonPath, javaStringHash, orderingKeyValues, type KeyedRequest, type KeyPart } from './ordering-key.ts';

/**
 * The webhook routes API Gateway sends to the queue, and how each picks its SQS message
 * group (the ordering scope) and deduplication id. One table, read by the local gateway, the
 * infra templates' contract tests and the docs, so they cannot drift apart.
 *
 * - Group: the route, then its ordering key: the entity the webhook is about (README "Order").
 *   A webhook whose key has no value keeps the route's group. Providers promise no delivery
 *   order at all; what a handler needs is the order of events about one object, and a group
 *   that keeps failing then holds up that object alone, not its provider.
 * - Dedup: always the API Gateway request id, never a delivery-id header. Those headers are
 *   not covered by any signature: an unsigned POST claiming a genuine delivery's id, sent
 *   first, would make SQS drop the genuine one for five minutes. A provider's retries are
 *   the idempotency layer's job (shared/idempotency/), keyed on what the signature covers.
 */
export interface QueueRoute {
  path: string;
  /** False for a route the http function must answer synchronously (Slack's url_verification challenge). */
  queued?: boolean;
  /** The entity, part by part (each the first of its sources with a value); none: the route alone. */
  orderingKey?: readonly KeyPart[];
}

export const queueRoutes: readonly QueueRoute[] = [
  // Any other sender: no entity is known. Set `orderingKey` to order by one (README "Order").
  { path: '/webhook' },
  {
    path: '/webhook/stripe',
    // The event's object (`data.object.id`: an invoice's created → finalized → paid events share
    // it), qualified by the connected account (`account`, on events from Connect accounts).
    // https://docs.stripe.com/api/events/object
    // An object without an id (`balance.available`) keeps the account's group, else the route's.
    orderingKey: [[{ json: '$.account' }], [{ json: '$.data.object.id' }]],
  },
  {
    path: '/webhook/github',
    // The repository, else the organization, else the app installation: the common properties
    // of every payload; node_id, the global id, is a string and survives renames.
    // https://docs.github.com/en/webhooks/webhook-events-and-payloads
    orderingKey: [[{ json: '$.repository.node_id' }, { json: '$.organization.node_id' }, { json: '$.installation.node_id' }]],
  },
  {
    path: '/webhook/twilio',
    // The resource the callback is about, a form field: the message (incoming message and its
    // status callbacks), else the call (call status and recording callbacks), else the
    // conversation. https://www.twilio.com/docs/messaging/guides/webhook-request
    // https://www.twilio.com/docs/usage/webhooks/voice-webhooks
    orderingKey: [[{ form: 'MessageSid' }, { form: 'CallSid' }, { form: 'ConversationSid' }]],
  },
  {
    path: '/webhook/shopify',
    // The shop (X-Shopify-Shop-Domain, on every delivery), then the resource: its
    // `admin_graphql_api_id` (gid://shopify/Order/…, a string; the numeric `id` is not used,
    // see orderingKeyValues). https://shopify.dev/docs/apps/build/webhooks
    orderingKey: [[{ header: 'x-shopify-shop-domain' }], [{ json: '$.admin_graphql_api_id' }]],
  },
  { path: '/webhook/slack', queued: false },
  // Standard Webhooks fixes no field for the entity: the route, unless configured (README "Order").
  { path: '/webhook/standard' },
];

for (const route of queueRoutes) {
  for (const source of route.orderingKey?.flat() ?? []) if ('json' in source) checkJsonPath(source.json);
}

/** Any POST under `/webhook` is queued but a route marked `queued: false`; unknown sub-paths share the `/webhook` defaults. */
export function isQueuedPath(path: string): boolean {
  return (path === '/webhook' || path.startsWith('/webhook/')) && findQueueRoute(path).queued !== false;
}

/** The route's rules; an unknown sub-path is a route of its own with the defaults. */
function findQueueRoute(path: string): QueueRoute {
  return queueRoutes.find((route) => route.path === path) ?? { path };
}

/**
 * SQS allows 128 characters of [A-Za-z0-9!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~] for both ids: each
 * other character becomes `_` (per code point, as the template's Java replaceAll does), and a
 * longer id keeps its first 116 characters and a hash of the whole, so two long keys that share
 * a prefix still get groups of their own (were they to share one, only parallelism is lost).
 */
export function toSqsId(value: string): string {
  const cleaned = value.replace(/[^\x21-\x7e]/gu, '_');
  return cleaned.length <= 128 ? cleaned : `${cleaned.slice(0, 116)}~${javaStringHash(cleaned)}`;
}

/** Message group (the route and its ordering key) and dedup id (the gateway's request id) for a request. */
export function messageIds(request: KeyedRequest & { path: string }, requestId: string): { groupId: string; deduplicationId: string } {
  const route = findQueueRoute(request.path);
  const key = orderingKeyValues(route.orderingKey ?? [], request);
  return {
    groupId: toSqsId([route.path, ...key].join('#')),
    deduplicationId: toSqsId(requestId),
  };
}
