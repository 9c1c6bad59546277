import { createHmac } from 'node:crypto';
import { SignatureError } from './errors.ts';
import { matchesAny, requireHeader, type Verifier } from './verifier.ts';

interface GitHubOptions {
  /** Webhook secrets; several during a rotation. */
  secrets: readonly string[];
}

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the body. GitHub signs no
 * timestamp, so a replay cannot be told from a retry here; the delivery id guards that.
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 */
export function createGitHubVerifier(options: GitHubOptions): Verifier {
  return (request) => {
    const header = requireHeader(request, 'x-hub-signature-256');
    if (!header.startsWith('sha256=')) {
      throw new SignatureError('signature_malformed', 'X-Hub-Signature-256 must start with "sha256="');
    }
    const expected = options.secrets.map((secret) => 'sha256=' + createHmac('sha256', secret).update(request.body).digest('hex'));
    if (!matchesAny([header], expected)) {
      throw new SignatureError('signature_mismatch', 'X-Hub-Signature-256 does not match the body');
    }
  };
}
