import { timingSafeEqual } from 'node:crypto';
import { SignatureError } from './errors.ts';

/** What a verifier needs from a request; built from the Koa context by `verifySignature`. */
export interface SignedRequest {
  /** The exact body bytes, as the provider signed them. */
  body: Buffer;
  /** A request header by name (any case); `''` when absent. */
  header(name: string): string;
  /** Path and query as the caller sent them, e.g. `/webhook/twilio?bodySHA256=…`. */
  url: string;
  /** The query in `url` was rebuilt from decoded pairs (a replay of an API Gateway message): its spelling may not be the one signed. */
  queryRebuilt: boolean;
  /** When API Gateway received the request (epoch ms), also for a replay hours later. */
  receivedAt: number;
}

/** Returns when one of its secrets signed the request; throws a `SignatureError` otherwise. */
export type Verifier = (request: SignedRequest) => void;

/** Throws `signature_missing` unless the header is present; returns its value. */
export function requireHeader(request: SignedRequest, name: string): string {
  const value = request.header(name);
  if (value === '') throw new SignatureError('signature_missing', `The ${name} header is missing`);
  return value;
}

/**
 * Compares two strings in time independent of where they differ. Only the length may leak,
 * and every digest we compare has a public, fixed length.
 */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** True when any presented signature equals any expected one (one per secret, for rotation). */
export function matchesAny(presented: readonly string[], expected: readonly string[]): boolean {
  return presented.some((candidate) => expected.some((digest) => safeEqual(candidate, digest)));
}

/**
 * Checks a provider timestamp (Unix seconds) against the time API Gateway received the
 * request, not the time of the replay: a delivery that waited in the queue stays valid, one
 * that was already stale on arrival does not. Both directions count, as in Slack's and the
 * Standard Webhooks reference verifiers.
 */
export function checkTimestamp(raw: string, receivedAt: number, toleranceSeconds: number): void {
  if (!/^\d{1,12}$/.test(raw)) throw new SignatureError('timestamp_invalid', `The signature timestamp "${raw.slice(0, 20)}" is not Unix seconds`);
  const skewSeconds = Math.abs(receivedAt / 1000 - Number(raw));
  // Written to fail closed: a receive time that is not a number makes the skew NaN.
  if (!(skewSeconds <= toleranceSeconds)) {
    throw new SignatureError(
      'timestamp_out_of_tolerance',
      `The signature timestamp is ${Math.round(skewSeconds)} s away from the time the request was received (tolerance ${toleranceSeconds} s)`,
    );
  }
}
