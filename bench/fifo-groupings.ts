// The two message-group layouts the FIFO benchmark compares: one group per route (the layout
// before issue 12) and one per entity, as the route table gives it.
import { messageIds } from '../shared/queue-message/routes.ts';
import { makeGitHubEvent, makeShopifyWebhook, makeStandardWebhook, makeStripeEvent, makeTwilioCallback, type ProviderPayload } from '../factories/provider-payloads.ts';
import type { MixWebhook } from './fifo-mixes.ts';

export type Grouping = (webhook: MixWebhook) => string;

/** The old layout: one group per route (per shop for Shopify). */
export const perRoute: Grouping = (w) => (w.shop ? `/webhook/${w.provider}#${w.shop}` : `/webhook/${w.provider}`);

/** The provider's payload about the webhook's entity, as the provider would send it. */
function payloadOf(w: MixWebhook): ProviderPayload {
  switch (w.provider) {
    case 'stripe':
      return makeStripeEvent({ objectId: w.entity });
    case 'github':
      return makeGitHubEvent({ repository: w.entity });
    case 'twilio':
      return makeTwilioCallback({ messageSid: w.entity });
    case 'shopify':
      return makeShopifyWebhook({ shop: w.shop, resource: w.entity });
    case 'standard':
      return makeStandardWebhook();
  }
}

/** One group per entity: the group the route table gives the provider's payload (messageIds()). */
export const perEntity: Grouping = (w) => {
  const payload = payloadOf(w);
  return messageIds({ path: payload.path, headers: payload.headers, body: Buffer.from(payload.body, 'utf8') }, 'request-id').groupId;
};
