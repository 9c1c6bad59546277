/**
 * The webhook routes API Gateway sends to the queue, and how each picks its SQS message
 * group (the ordering scope) and deduplication id. One table, read by the local gateway, the
 * infra templates' contract tests and the docs, so the three cannot drift apart.
 *
 * - Group: one group per route by default, which serialises a provider's whole stream;
 *   `groupHeader` names a finer key (account, phone number) when a provider sends one.
 * - Dedup: always the API Gateway request id, never a delivery-id header. Those headers are
 *   not covered by any signature: an unsigned POST claiming a genuine delivery's id, sent
 *   first, would make SQS drop the genuine one for five minutes. A provider's retries are
 *   the idempotency layer's job (shared/idempotency/), keyed on what the signature covers.
 */
interface QueueRoute {
  path: string;
  /** False for a route the http function must answer synchronously (Slack's url_verification challenge). */
  queued?: boolean;
  /** Header whose value is a finer ordering key than the route (lower case). */
  groupHeader?: string;
}

export const queueRoutes: readonly QueueRoute[] = [
  { path: '/webhook' },
  { path: '/webhook/stripe' },
  { path: '/webhook/github' },
  { path: '/webhook/twilio' },
  { path: '/webhook/shopify', groupHeader: 'x-shopify-shop-domain' },
  { path: '/webhook/slack', queued: false },
  { path: '/webhook/standard' },
];

/** Any POST under `/webhook` is queued but a route marked `queued: false`; unknown sub-paths share the `/webhook` defaults. */
export function isQueuedPath(path: string): boolean {
  return (path === '/webhook' || path.startsWith('/webhook/')) && findQueueRoute(path).queued !== false;
}

function findQueueRoute(path: string): QueueRoute {
  return queueRoutes.find((route) => route.path === path) ?? { path };
}

/** SQS allows 128 characters of [A-Za-z0-9!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~] for both ids. */
export function toSqsId(value: string): string {
  // Per code point (`u`), as the REST template's Java replaceAll does: an emoji becomes one `_`.
  const cleaned = value.replace(/[^\x21-\x7e]/gu, '_');
  return cleaned.length <= 128 ? cleaned : cleaned.slice(0, 128);
}

/** Message group (per the route's rules) and dedup id (the gateway's request id) for a request. */
export function messageIds(
  path: string,
  headers: Record<string, string | undefined>,
  requestId: string,
): { groupId: string; deduplicationId: string } {
  const route = findQueueRoute(path);
  const group = route.groupHeader ? headers[route.groupHeader] : undefined;
  return {
    groupId: toSqsId(group ? `${route.path}#${group}` : route.path),
    deduplicationId: toSqsId(requestId),
  };
}
