import { createHmac } from 'node:crypto';
import { SignatureError } from './errors.ts';
import { matchesAny, requireHeader, type Verifier } from './verifier.ts';

interface ShopifyOptions {
  /** The app's client secrets (or a shop's webhook signing secret); several during a rotation. */
  secrets: readonly string[];
}

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, HMAC-SHA256 of the body. No timestamp is signed.
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook-to-ensure-its-coming-from-shopify
 */
export function createShopifyVerifier(options: ShopifyOptions): Verifier {
  return (request) => {
    const header = requireHeader(request, 'x-shopify-hmac-sha256');
    const expected = options.secrets.map((secret) => createHmac('sha256', secret).update(request.body).digest('base64'));
    if (!matchesAny([header.trim()], expected)) {
      throw new SignatureError('signature_mismatch', 'X-Shopify-Hmac-Sha256 does not match the body');
    }
  };
}
