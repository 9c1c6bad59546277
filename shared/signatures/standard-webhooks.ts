import { createHmac } from 'node:crypto';
import { isBase64 } from '../base64.ts';
import { SignatureError } from './errors.ts';
import { checkTimestamp, matchesAny, requireHeader, type SignedRequest, type Verifier } from './verifier.ts';

interface StandardWebhooksOptions {
  /** Secrets as `whsec_<base64 key>` (the prefix is optional, as in the reference libraries). */
  secrets: readonly string[];
  toleranceSeconds?: number;
}

/** True for a secret the verifier can use: base64 key bytes, optionally prefixed `whsec_`. */
export function isStandardWebhooksSecret(secret: string): boolean {
  const key = secret.replace(/^whsec_/, '');
  return key !== '' && isBase64(key);
}

/**
 * Standard Webhooks (Svix and the services built on it): `webhook-id`, `webhook-timestamp`
 * and `webhook-signature` (space-separated `v1,<base64>` entries), HMAC-SHA256 of
 * `"{id}.{timestamp}.{body}"` keyed with the base64-decoded secret. Svix's own `svix-*`
 * header names are read when the `webhook-*` ones are absent.
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
export function createStandardWebhooksVerifier(options: StandardWebhooksOptions): Verifier {
  const tolerance = options.toleranceSeconds ?? 300;
  const keys = options.secrets.map((secret) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64'));
  return (request) => {
    const id = standardHeader(request, 'id');
    const timestamp = standardHeader(request, 'timestamp');
    const signatures = parseSignatures(standardHeader(request, 'signature'));
    const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), request.body]);
    const expected = keys.map((key) => createHmac('sha256', key).update(signed).digest('base64'));
    if (!matchesAny(signatures, expected)) {
      throw new SignatureError('signature_mismatch', 'No webhook-signature v1 signature matches the body');
    }
    checkTimestamp(timestamp, request.receivedAt, tolerance);
  };
}

/** `webhook-<name>`, else Svix's `svix-<name>`; `signature_missing` names the standard header. */
function standardHeader(request: SignedRequest, name: 'id' | 'timestamp' | 'signature'): string {
  const svix = request.header(`svix-${name}`);
  if (request.header(`webhook-${name}`) === '' && svix !== '') return svix;
  return requireHeader(request, `webhook-${name}`);
}

function parseSignatures(header: string): string[] {
  const signatures = header
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
  if (signatures.length === 0) throw new SignatureError('signature_malformed', 'webhook-signature has no "v1,<base64>" entry');
  return signatures;
}
