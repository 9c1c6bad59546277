import { createHash, createHmac } from 'node:crypto';
import { SignatureError } from './errors.ts';
import { querySpellings } from './query-spellings.ts';
import { matchesAny, requireHeader, safeEqual, type Verifier } from './verifier.ts';

interface TwilioOptions {
  /** Auth tokens: the primary, plus the secondary while rotating. */
  secrets: readonly string[];
  /** The host name in the webhook URL configured at Twilio, e.g. `hooks.example.com`. */
  publicHost: string;
}

/**
 * Twilio: `X-Twilio-Signature: <base64>`, HMAC-SHA1 (auth token as key) of the full public URL
 * followed by the POST parameters sorted by name, each as name + value. A JSON body is not in
 * the signature: Twilio adds `bodySHA256=<hex>` to the URL instead, checked here against the
 * exact body bytes. Twilio signs the URL it called, so it is rebuilt from the configured
 * public host, never from the host the function sees (API Gateway, a load balancer or the
 * queue changed it). The URL is tried with and without `:443`, as Twilio's own libraries
 * do, because Twilio's signing is inconsistent about the port. When the query was rebuilt from
 * decoded pairs (a replay of an API Gateway message), its likely spellings are tried too.
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
export function createTwilioVerifier(options: TwilioOptions): Verifier {
  return (request) => {
    const signature = requireHeader(request, 'x-twilio-signature');
    const mark = request.url.indexOf('?');
    const path = mark === -1 ? request.url : request.url.slice(0, mark);
    const query = mark === -1 ? undefined : request.url.slice(mark + 1);
    const pairs = [...new URLSearchParams(query)];
    const bodyHash = pairs.find(([name]) => name === 'bodySHA256')?.[1];
    const params = bodyHash === undefined ? twilioSignedParams(request.body) : '';
    const targets = query === undefined ? [path] : (request.queryRebuilt ? querySpellings(pairs) : [query]).map((spelling) => `${path}?${spelling}`);
    // Concatenated, not resolved with new URL(path, base): a path like `//other.host/x` must not change the host.
    const urls = targets.flatMap((target) => [`https://${options.publicHost}${target}`, `https://${options.publicHost}:443${target}`]);
    const expected = options.secrets.flatMap((token) =>
      urls.map((url) => createHmac('sha1', token).update(url + params, 'utf8').digest('base64')),
    );
    if (!matchesAny([signature], expected)) {
      throw new SignatureError('signature_mismatch', 'X-Twilio-Signature does not match the public URL and parameters');
    }
    if (bodyHash !== undefined && !safeEqual(bodyHash.toLowerCase(), createHash('sha256').update(request.body).digest('hex'))) {
      throw new SignatureError('body_hash_mismatch', 'The body does not match the bodySHA256 query parameter');
    }
  };
}

/**
 * The POST parameters as Twilio signs them: sorted by name, each as name + value, a repeated
 * name with its distinct values sorted. Bodies that differ in field order, repeats or
 * percent-encoding give the same text, and so the same signature.
 */
export function twilioSignedParams(body: Buffer): string {
  const values = new Map<string, Set<string>>();
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    values.set(name, (values.get(name) ?? new Set()).add(value));
  }
  return [...values.keys()]
    .sort()
    .flatMap((name) => [...(values.get(name) ?? [])].sort().map((value) => name + value))
    .join('');
}
