/**
 * Webhook payloads shaped after each provider's documented examples, trimmed to the fields that
 * matter here, about a chosen entity: the corpus the ordering key is checked on (the REST
 * template against the code) and the traffic of the FIFO benchmark. Unsigned; sign one with
 * `makeSignedDelivery(provider, { body })` (./webhooks.ts).
 */
export interface ProviderPayload {
  path: string;
  /** Lower-case names, content type included. */
  headers: Record<string, string>;
  body: string;
}

const json = { 'content-type': 'application/json' };

/** A Stripe event (https://docs.stripe.com/api/events/object); `account` on events from a Connect account. */
export function makeStripeEvent(overrides: { objectId?: string | null; account?: string; type?: string; eventId?: string } = {}): ProviderPayload {
  const { objectId = 'in_1NG8Du2eZvKYlo2CUI79vXWy', account, type = 'invoice.paid', eventId = 'evt_1NG8Du2eZvKYlo2CUI79vXWy' } = overrides;
  const object = objectId === null ? { object: 'balance', available: [{ amount: 2217713, currency: 'usd' }] } : { id: objectId, object: type.split('.')[0], amount_due: 1999, currency: 'eur', description: 'Café crème — 東京 💳' };
  const body = { id: eventId, object: 'event', api_version: '2024-06-20', created: 1686089970, ...(account ? { account } : {}), data: { object }, livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type };
  return { path: '/webhook/stripe', headers: { ...json, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' }, body: JSON.stringify(body) };
}

/**
 * A GitHub event with the common properties (https://docs.github.com/en/webhooks/webhook-events-and-payloads):
 * `repository` for repository activity, `organization` for an organization's, `installation` when sent to an app.
 */
export function makeGitHubEvent(overrides: { event?: string; repository?: string; organization?: string; installation?: string } = {}): ProviderPayload {
  const { event = 'push', repository, organization, installation } = overrides;
  const body = {
    ...(event === 'push' ? { ref: 'refs/heads/main', commits: [{ id: '0d1a26e6', message: 'Fix «quotes» and ‘apostrophes’' }] } : { action: 'created' }),
    ...(repository ? { repository: { id: 1296269, node_id: repository, full_name: 'octocat/Hello-World', private: false } } : {}),
    ...(organization ? { organization: { login: 'github', id: 1, node_id: organization } } : {}),
    ...(installation ? { installation: { id: 2, node_id: installation } } : {}),
    sender: { login: 'octocat', id: 1, node_id: 'MDQ6VXNlcjE=' },
  };
  return { path: '/webhook/github', headers: { ...json, 'user-agent': 'GitHub-Hookshot/044aadd', 'x-github-event': event, 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, body: JSON.stringify(body) };
}

/**
 * A Twilio callback, a url-encoded form: an incoming message or a message status callback
 * (https://www.twilio.com/docs/messaging/guides/webhook-request), or a call status or
 * recording callback (https://www.twilio.com/docs/usage/webhooks/voice-webhooks).
 */
export function makeTwilioCallback(overrides: { messageSid?: string; callSid?: string; status?: string } = {}): ProviderPayload {
  const { messageSid, callSid, status = 'delivered' } = overrides;
  const fields: [string, string][] = messageSid
    ? [['AccountSid', 'AC0123456789abcdef0123456789abcdef'], ['MessageSid', messageSid], ['SmsSid', messageSid], ['MessageStatus', status], ['From', '+15005550006'], ['To', '+14155551212'], ['Body', 'Tom & Jerry: 100% + 50% off 😀']]
    : [['AccountSid', 'AC0123456789abcdef0123456789abcdef'], ['CallSid', callSid ?? 'CA0123456789abcdef0123456789abcdef'], ['CallStatus', status], ['From', '+15005550006'], ['Direction', 'outbound-api']];
  return { path: '/webhook/twilio', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TwilioProxy/1.1' }, body: new URLSearchParams(fields).toString() };
}

/** A Shopify webhook (https://shopify.dev/docs/apps/build/webhooks): the shop in a header, the resource's GraphQL id in the body. */
export function makeShopifyWebhook(overrides: { shop?: string; resource?: string | null; topic?: string } = {}): ProviderPayload {
  const { shop = 'example-shop.myshopify.com', resource = 'gid://shopify/Order/820982911946154508', topic = 'orders/create' } = overrides;
  const body = resource === null ? { id: 548380009, name: 'Example Shop', domain: 'example.com' } : { id: '<id>', admin_graphql_api_id: resource, email: 'jon@example.com', total_price: '11.00' };
  return {
    path: '/webhook/shopify',
    headers: { ...json, 'x-shopify-topic': topic, 'x-shopify-shop-domain': shop, 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', 'x-shopify-api-version': '2024-07' },
    // The numeric id as Shopify writes it, every digit: more than a JavaScript number holds.
    body: JSON.stringify(body).replace('"<id>"', '820982911946154508'),
  };
}

/** A Standard Webhooks message (https://www.standardwebhooks.com/): type, timestamp, data. */
export function makeStandardWebhook(overrides: { dataId?: string } = {}): ProviderPayload {
  const body = { type: 'invoice.paid', timestamp: '2024-06-20T10:00:00Z', data: { id: overrides.dataId ?? 'inv_1', amount: 100 } };
  return { path: '/webhook/standard', headers: { ...json, 'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' }, body: JSON.stringify(body) };
}
