import { createHmac } from 'node:crypto';
import { SignatureError } from './errors.ts';
import { checkTimestamp, matchesAny, requireHeader, type Verifier } from './verifier.ts';

interface StripeOptions {
  /** Endpoint signing secrets (`whsec_…`), used as given; several during a rotation. */
  secrets: readonly string[];
  toleranceSeconds?: number;
}

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 of `"{t}.{body}"`.
 * During a secret roll Stripe sends one `v1` per active secret; any match passes. Other
 * schemes (`v0`) are ignored, as Stripe's libraries do.
 * https://docs.stripe.com/webhooks#verify-manually
 */
export function createStripeVerifier(options: StripeOptions): Verifier {
  const tolerance = options.toleranceSeconds ?? 300;
  return (request) => {
    const header = requireHeader(request, 'stripe-signature');
    const { timestamp, signatures } = parseStripeSignature(header);
    const signed = Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), request.body]);
    const expected = options.secrets.map((secret) => createHmac('sha256', secret).update(signed).digest('hex'));
    if (!matchesAny(signatures, expected)) {
      throw new SignatureError('signature_mismatch', 'No Stripe-Signature v1 signature matches the body');
    }
    checkTimestamp(timestamp, request.receivedAt, tolerance);
  };
}

function parseStripeSignature(header: string): { timestamp: string; signatures: string[] } {
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const separator = item.indexOf('=');
    const key = item.slice(0, separator).trim();
    const value = item.slice(separator + 1).trim();
    if (key === 't') timestamp ??= value;
    else if (key === 'v1') signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new SignatureError('signature_malformed', 'Stripe-Signature needs t= and at least one v1=');
  }
  return { timestamp, signatures };
}
