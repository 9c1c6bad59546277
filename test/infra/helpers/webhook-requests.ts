import { randomUUID } from 'node:crypto';
import type { SignedDelivery } from '../../../factories/webhooks.ts';
import type { GatewayRequest } from './api-gateway-vtl.ts';

/**
 * Real-world webhook requests as API Gateway receives them, shaped after each provider's
 * documentation. Every call makes fresh request and delivery ids, so SQS never deduplicates
 * one test's message against another's.
 */
export function makeGatewayRequest(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'POST',
    path: '/webhook',
    query: [],
    headers: {},
    body: Buffer.alloc(0),
    requestId: randomUUID(),
    requestTime: 1_764_000_000_123,
    sourceIp: '203.0.113.7',
    domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
    stage: 'prod',
    ...overrides,
  };
}

/**
 * The providers' delivery-id headers. No signature covers them, so none may choose the SQS
 * deduplication id (a forged POST claiming a genuine delivery's id would have SQS drop it).
 */
export const deliveryIdHeaders = ['x-github-delivery', 'i-twilio-idempotency-token', 'x-shopify-webhook-id', 'webhook-id', 'svix-id'];

/** Headers API Gateway adds before the template runs. */
function gatewayHeaders(body: Buffer, contentType?: string): Record<string, string> {
  return {
    Host: 'abc123.execute-api.eu-west-1.amazonaws.com',
    'X-Forwarded-For': '203.0.113.7',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    'X-Amzn-Trace-Id': `Root=1-${randomUUID().slice(0, 8)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    ...(contentType ? { 'Content-Type': contentType } : {}),
    'Content-Length': String(body.length),
  };
}

function post(path: string, contentType: string | undefined, body: string, headers: Record<string, string>, query: [string, string][] = []): GatewayRequest {
  const bytes = Buffer.from(body, 'utf8');
  return makeGatewayRequest({ path, query, body: bytes, headers: { ...gatewayHeaders(bytes, contentType), ...headers } });
}

/** Stripe: JSON with non-ASCII text, `Stripe-Signature: t=…,v1=…`. */
export function makeStripeRequest(): GatewayRequest {
  const body = JSON.stringify({
    id: `evt_${randomUUID().replace(/-/g, '')}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    data: { object: { amount: 1999, currency: 'eur', description: 'Café crème — Zürich, 東京 💳', metadata: { note: "it's \"quoted\" \\ and & + %" } } },
  });
  return post('/webhook/stripe', 'application/json; charset=utf-8', body, {
    'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    'Stripe-Signature': 't=1764000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd,v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39',
  });
}

/** Twilio: a form whose values carry `+`, `&`, `%` and an emoji, and the idempotency token. */
export function makeTwilioRequest(): GatewayRequest {
  const body = new URLSearchParams([
    ['MessageSid', `SM${randomUUID().replace(/-/g, '')}`],
    ['From', '+15005550006'],
    ['To', '+14155551212'],
    ['Body', 'Tom & Jerry: 100% + 50% off 😀 ça va?'],
  ]).toString();
  return post('/webhook/twilio', 'application/x-www-form-urlencoded', body, {
    'User-Agent': 'TwilioProxy/1.1',
    'X-Twilio-Signature': 'Gd0Zq2d8mF3bW+4T1kBOuNs6Tz8=',
    'I-Twilio-Idempotency-Token': randomUUID(),
  });
}

export function makeGitHubRequest(): GatewayRequest {
  const body = JSON.stringify({ ref: 'refs/heads/main', commits: [{ message: 'Fix «quotes» and ‘apostrophes’' }] });
  return post('/webhook/github', 'application/json', body, {
    'User-Agent': 'GitHub-Hookshot/044aadd',
    'X-GitHub-Delivery': randomUUID(),
    'X-GitHub-Event': 'push',
    'X-Hub-Signature-256': 'sha256=3f1a5e0c2b6d4f8e9a7c5b3d1e0f2a4c6b8d0e2f4a6c8e0b2d4f6a8c0e2b4d6f',
  });
}

export function makeShopifyRequest(shop = 'example-shop.myshopify.com'): GatewayRequest {
  const body = JSON.stringify({ id: 820982911946154500, email: 'jon@example.com', total_price: '11.00' });
  return post('/webhook/shopify', 'application/json', body, {
    'X-Shopify-Topic': 'orders/create',
    'X-Shopify-Hmac-Sha256': 'XWmrwMey6OsLMeiZKwP4FppHH3cmAiiJJAweH5Jo4bM=',
    'X-Shopify-Shop-Domain': shop,
    'X-Shopify-Webhook-Id': randomUUID(),
  });
}

/**
 * GitHub with the "application/x-www-form-urlencoded" content type a hook may be set to: the JSON
 * payload as a form field named `payload`.
 * https://docs.github.com/en/webhooks/using-webhooks/creating-webhooks
 */
export function makeGitHubFormRequest(): GatewayRequest {
  const payload = JSON.stringify({ action: 'opened', repository: { id: 1296269, node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5', full_name: 'octocat/Hello-World' } });
  return post('/webhook/github', 'application/x-www-form-urlencoded', new URLSearchParams([['payload', payload]]).toString(), {
    'User-Agent': 'GitHub-Hookshot/044aadd',
    'X-GitHub-Delivery': randomUUID(),
    'X-GitHub-Event': 'issues',
    'X-Hub-Signature-256': 'sha256=3f1a5e0c2b6d4f8e9a7c5b3d1e0f2a4c6b8d0e2f4a6c8e0b2d4f6a8c0e2b4d6f',
  });
}

/** Shopify with a subscription's `format: xml`: the order as XML. https://shopify.dev/docs/apps/build/webhooks */
export function makeShopifyXmlRequest(): GatewayRequest {
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n<order>\n  <id type="integer">820982911946154508</id>\n  <admin-graphql-api-id>gid://shopify/Order/820982911946154508</admin-graphql-api-id>\n</order>\n';
  return post('/webhook/shopify', 'application/xml', body, {
    'X-Shopify-Topic': 'orders/create',
    'X-Shopify-Hmac-Sha256': 'XWmrwMey6OsLMeiZKwP4FppHH3cmAiiJJAweH5Jo4bM=',
    'X-Shopify-Shop-Domain': 'example-shop.myshopify.com',
    'X-Shopify-Webhook-Id': randomUUID(),
  });
}

/** On a route whose ordering key reads JSON: text that starts with a brace, and a JSON label on text. */
export function makeBraceTextRequest(): GatewayRequest {
  return post('/webhook/stripe', 'text/plain', '{{customer}} paid {{amount}}', {});
}

export function makeMislabelledTextRequest(): GatewayRequest {
  return post('/webhook/github', 'application/json', 'ping', {});
}

export function makeStandardWebhookRequest(): GatewayRequest {
  const body = JSON.stringify({ type: 'invoice.paid', data: { amount: 100 } });
  return post('/webhook/standard', 'application/json', body, {
    'webhook-id': `msg_${randomUUID()}`,
    'webhook-timestamp': '1764000000',
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  });
}

/** A plain-text body with line breaks, a tab and non-ASCII text (SNS-style). */
export function makeTextRequest(): GatewayRequest {
  return post('/webhook', 'text/plain; charset=UTF-8', 'line one\nline two\r\n\ttabbed — “smart” ✓\n', { 'User-Agent': 'Amazon Simple Notification Service Agent' });
}

export function makeXmlRequest(): GatewayRequest {
  return post('/webhook', 'text/xml', "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<note a='1' b=\"2\">Ärger &amp; &lt;Freude&gt;</note>", {});
}

/** A POST with no body at all (some providers' pings). */
export function makeEmptyRequest(): GatewayRequest {
  return post('/webhook', 'application/json', '', {});
}

/** Header values with double quotes, single quotes and backslashes. */
export function makeQuotedHeadersRequest(): GatewayRequest {
  return post('/webhook', 'application/json', '{"ok":true}', {
    'X-Quoted': 'he said "hi" and left',
    'X-Backslashes': 'C:\\path\\to\\file \\"escaped\\"',
    'X-Apostrophe': "it's",
  });
}

export function makeRepeatedQueryRequest(): GatewayRequest {
  return post('/webhook', 'application/json', '{"ok":true}', {}, [['tag', 'a'], ['tag', 'b & c'], ['id', '42']]);
}

/** A signed delivery (factories/webhooks.ts) as it reaches API Gateway, received now. */
export function fromSignedDelivery(delivery: SignedDelivery): GatewayRequest {
  const body = Buffer.from(delivery.body, 'utf8');
  const { 'content-type': contentType, ...headers } = delivery.headers;
  return makeGatewayRequest({ path: delivery.url, body, requestTime: Date.now(), headers: { ...gatewayHeaders(body, contentType), ...headers } });
}

/** Real-world deliveries both gateways must carry byte for byte, named for the test titles. */
export const realWorldRequests: readonly [string, () => GatewayRequest][] = [
    ['a Stripe JSON body with non-ASCII text and an emoji', makeStripeRequest],
    ['a Twilio form body with +, &, % and an emoji', makeTwilioRequest],
    ['a GitHub push with its delivery id', makeGitHubRequest],
    ['a Shopify order with its shop domain and webhook id', makeShopifyRequest],
    ['a Standard Webhooks JSON body', makeStandardWebhookRequest],
    ['a text body with CR, LF, tab and non-ASCII text', makeTextRequest],
    ['an XML body with quotes and entities', makeXmlRequest],
    ['a GitHub delivery sent as a form (payload=…)', makeGitHubFormRequest],
    ['a Shopify delivery in XML', makeShopifyXmlRequest],
    ['a text body starting with { on the Stripe route', makeBraceTextRequest],
    ['a body labelled JSON that is not on the GitHub route', makeMislabelledTextRequest],
];
