// Requests as the verifiers see them, and the providers' signers (the console's, pinned by the
// providers' published test vectors in test/services/local/console/signers.test.ts).
import type { SignedRequest } from '../shared/signatures/verifier.ts';

/** A request as `verifySignature` hands it to a verifier; headers are matched in any case. */
export function makeSignedRequest(overrides: { body?: Buffer | string; headers?: Record<string, string>; url?: string; queryRebuilt?: boolean; receivedAt?: number } = {}): SignedRequest {
  const headers = Object.fromEntries(Object.entries(overrides.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const body = overrides.body ?? '';
  return {
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    header: (name) => headers[name.toLowerCase()] ?? '',
    url: overrides.url ?? '/webhook',
    queryRebuilt: overrides.queryRebuilt ?? false,
    receivedAt: overrides.receivedAt ?? 1_764_000_000_000,
  };
}

export { signGitHub, signShopify, signSlack, signStandardWebhook, signStripe, signTwilio, twilioBodyHash } from '../services/local/console/signers.ts';
