// Signers for the providers' webhook schemes, written from each provider's documentation (the
// links are on the verifiers in shared/signatures/). The console signs its sample webhooks with
// them; the tests sign deliveries with them, pinned by the providers' published test vectors.
import { createHash, createHmac } from 'node:crypto';

const hmac = (algorithm: string, key: string | Buffer, data: string | Buffer) => createHmac(algorithm, key).update(data);

/** `Stripe-Signature`: `t=<unix>,v1=<hex HMAC-SHA256 of "{t}.{body}">`. */
export function signStripe(secret: string, timestamp: number, body: string | Buffer): string {
  const signed = Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)]);
  return `t=${timestamp},v1=${hmac('sha256', secret, signed).digest('hex')}`;
}

/** `X-Hub-Signature-256`: `sha256=<hex HMAC-SHA256 of the body>`. */
export function signGitHub(secret: string, body: string | Buffer): string {
  return `sha256=${hmac('sha256', secret, Buffer.from(body)).digest('hex')}`;
}

/** `X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the body. */
export function signShopify(secret: string, body: string | Buffer): string {
  return hmac('sha256', secret, Buffer.from(body)).digest('base64');
}

/** `X-Slack-Signature`: `v0=<hex HMAC-SHA256 of "v0:{timestamp}:{body}">`. */
export function signSlack(secret: string, timestamp: number, body: string | Buffer): string {
  return `v0=${hmac('sha256', secret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), Buffer.from(body)])).digest('hex')}`;
}

/** `webhook-signature`: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the base64 key of `whsec_<key>`. */
export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${hmac('sha256', key, Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.from(body)])).digest('base64')}`;
}

/** `X-Twilio-Signature` of a form POST: base64 HMAC-SHA1 of the URL, then each parameter as name + value, sorted by name. */
export function signTwilio(authToken: string, url: string, params: Record<string, string> = {}): string {
  const data = url + Object.keys(params).sort().map((name) => name + params[name]).join('');
  return hmac('sha1', authToken, data).digest('base64');
}

/** The `bodySHA256` query value Twilio adds to the URL of a JSON webhook. */
export function twilioBodyHash(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
