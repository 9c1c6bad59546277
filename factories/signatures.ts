// Signers for the providers' webhook schemes, written from each provider's documentation, so
// tests can make deliveries the verifiers have never seen. Published test vectors pin them.
import { createHash, createHmac } from 'node:crypto';
import type { SignedRequest } from '../shared/signatures/verifier.ts';

/** A request as `verifySignature` hands it to a verifier; headers are matched in any case. */
export function makeSignedRequest(overrides: { body?: Buffer | string; headers?: Record<string, string>; url?: string; receivedAt?: number } = {}): SignedRequest {
  const headers = Object.fromEntries(Object.entries(overrides.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const body = overrides.body ?? '';
  return {
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    header: (name) => headers[name.toLowerCase()] ?? '',
    url: overrides.url ?? '/webhook',
    receivedAt: overrides.receivedAt ?? 1_764_000_000_000,
  };
}

const hmac = (algorithm: string, key: string | Buffer, data: string | Buffer) => createHmac(algorithm, key).update(data);

export function signStripe(secret: string, timestamp: number, body: string | Buffer): string {
  const signed = Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)]);
  return `t=${timestamp},v1=${hmac('sha256', secret, signed).digest('hex')}`;
}

export function signGitHub(secret: string, body: string | Buffer): string {
  return `sha256=${hmac('sha256', secret, Buffer.from(body)).digest('hex')}`;
}

export function signShopify(secret: string, body: string | Buffer): string {
  return hmac('sha256', secret, Buffer.from(body)).digest('base64');
}

export function signSlack(secret: string, timestamp: number, body: string | Buffer): string {
  return `v0=${hmac('sha256', secret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), Buffer.from(body)])).digest('hex')}`;
}

export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${hmac('sha256', key, Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.from(body)])).digest('base64')}`;
}

/** Twilio over a form body: the URL, then each parameter as name + value, sorted by name. */
export function signTwilio(authToken: string, url: string, params: Record<string, string> = {}): string {
  const data = url + Object.keys(params).sort().map((name) => name + params[name]).join('');
  return hmac('sha1', authToken, data).digest('base64');
}

/** The `bodySHA256` query value Twilio adds to the URL of a JSON webhook. */
export function twilioBodyHash(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
