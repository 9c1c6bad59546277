import { createHmac } from 'node:crypto';
import { SignatureError } from './errors.ts';
import { checkTimestamp, matchesAny, requireHeader, type Verifier } from './verifier.ts';

interface SlackOptions {
  /** App signing secrets; several during a rotation. */
  secrets: readonly string[];
  toleranceSeconds?: number;
}

/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 of `"v0:{X-Slack-Request-Timestamp}:{body}"`;
 * Slack asks to reject timestamps more than five minutes away.
 * https://api.slack.com/authentication/verifying-requests-from-slack
 */
export function createSlackVerifier(options: SlackOptions): Verifier {
  const tolerance = options.toleranceSeconds ?? 300;
  return (request) => {
    const signature = requireHeader(request, 'x-slack-signature');
    const timestamp = requireHeader(request, 'x-slack-request-timestamp');
    if (!signature.startsWith('v0=')) {
      throw new SignatureError('signature_malformed', 'X-Slack-Signature must start with "v0="');
    }
    const signed = Buffer.concat([Buffer.from(`v0:${timestamp}:`, 'utf8'), request.body]);
    const expected = options.secrets.map((secret) => 'v0=' + createHmac('sha256', secret).update(signed).digest('hex'));
    if (!matchesAny([signature], expected)) {
      throw new SignatureError('signature_mismatch', 'X-Slack-Signature does not match the body');
    }
    checkTimestamp(timestamp, request.receivedAt, tolerance);
  };
}
