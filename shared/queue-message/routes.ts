/**
 * The webhook routes API Gateway sends to the queue, and how each picks its SQS message
 * group (the ordering scope) and deduplication id. One table, read by the local gateway, the
 * infra templates' contract tests and the docs, so the three cannot drift apart.
 *
 * - Group: one group per route by default, which serialises a provider's whole stream;
 *   `groupHeader` names a finer key (account, phone number) when a provider sends one.
 * - Dedup: the provider's delivery id where it has one, so a provider's retry within the
 *   5-minute SQS window is dropped; else the API Gateway request id (dedupes nothing but
 *   never drops a distinct delivery).
 */
interface QueueRoute {
  path: string;
  /** False for a route the http function must answer synchronously (Slack's url_verification challenge). */
  queued?: boolean;
  /** Header whose value dedupes a provider's retry (lower case). */
  dedupHeader?: string;
  /** Header whose value is a finer ordering key than the route (lower case). */
  groupHeader?: string;
}

export const queueRoutes: readonly QueueRoute[] = [
  { path: '/webhook' },
  { path: '/webhook/stripe' },
  { path: '/webhook/github', dedupHeader: 'x-github-delivery' },
  { path: '/webhook/twilio', dedupHeader: 'i-twilio-idempotency-token' },
  { path: '/webhook/shopify', dedupHeader: 'x-shopify-webhook-id', groupHeader: 'x-shopify-shop-domain' },
  { path: '/webhook/slack', queued: false },
  { path: '/webhook/standard', dedupHeader: 'webhook-id' },
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

/** Message group and dedup ids for a request, per the route's rules. */
export function messageIds(
  path: string,
  headers: Record<string, string | undefined>,
  requestId: string,
): { groupId: string; deduplicationId: string } {
  const route = findQueueRoute(path);
  const group = route.groupHeader ? headers[route.groupHeader] : undefined;
  const dedup = route.dedupHeader ? headers[route.dedupHeader] : undefined;
  return {
    groupId: toSqsId(group ? `${route.path}#${group}` : route.path),
    deduplicationId: toSqsId(dedup ? `${route.path}#${dedup}` : requestId),
  };
}
