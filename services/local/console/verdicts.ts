import { signatureFailures } from '../../../shared/signatures/errors.ts';
import { providers, secretVariables, type Provider } from '../../../shared/signatures/secrets.ts';
import type { Attempt } from './journal.ts';

export interface Verdict {
  /** A stable word for the page to style: `valid`, `rejected`, `duplicate`, … */
  verdict: string;
  /** The app's error code behind it, when there is one. */
  code?: string;
  note: string;
}

// Answers the app gives only after a signature was accepted (the delivery guard runs after it).
const afterSignature = new Set(['delivery_in_progress', 'idempotency_store_unavailable']);

/** The provider of a `/webhook/<provider>` path. */
export function providerOf(path: string | undefined): Provider | undefined {
  const name = /^\/webhook\/([a-z]+)$/.exec(path ?? '')?.[1];
  return providers.find((provider) => provider === name);
}

/**
 * What the app made of the delivery's signature, read from its last answer: the signature
 * middleware answers 401 with a reason code, or 503 when no secret is configured; any other
 * answer of a provider route (2xx, the delivery guard's 409/503) came after the check passed.
 */
export function signatureVerdict(path: string | undefined, attempt: Attempt | undefined): Verdict {
  const provider = providerOf(path);
  if (!provider) return { verdict: 'not-checked', note: 'This route checks no signature' };
  if (!attempt?.status) return { verdict: 'pending', note: 'Not replayed into the app yet' };
  const code = errorCodeOf(attempt);
  if ((signatureFailures as readonly string[]).includes(code ?? '')) return { verdict: 'rejected', code, note: `The app rejected the ${provider} signature` };
  if (code === 'signature_secret_not_configured') {
    return { verdict: 'no-secret', code, note: `No ${provider} secret is configured: set ${secretVariables[provider]}` };
  }
  if (isSuccess(attempt.status) || afterSignature.has(code ?? '')) return { verdict: 'valid', note: `The ${provider} signature matched a configured secret` };
  return { verdict: 'unknown', ...(code ? { code } : {}), note: `The app answered ${attempt.status} before or without a signature check` };
}

/**
 * What the idempotency guard decided, read from the provider route's answer:
 * `{"duplicate":true}`, `{"received":true,"deliveryId":…}`, 409 `delivery_in_progress`.
 */
export function idempotencyVerdict(path: string | undefined, attempt: Attempt | undefined): Verdict {
  const provider = providerOf(path);
  if (!provider) return { verdict: 'not-applicable', note: 'This route keeps no idempotency record' };
  if (!attempt?.status) return { verdict: 'pending', note: 'Not replayed into the app yet' };
  const code = errorCodeOf(attempt);
  if (code === 'delivery_in_progress') return { verdict: 'in-progress', code, note: 'Another run of this delivery held it; retried later' };
  if (code === 'idempotency_store_unavailable') return { verdict: 'unavailable', code, note: 'The idempotency store failed; retried later' };
  if (!isSuccess(attempt.status)) return { verdict: 'not-reached', ...(code ? { code } : {}), note: `The app answered ${attempt.status} before the delivery was recorded` };
  const answer = jsonOf(attempt);
  if (answer?.duplicate === true) return { verdict: 'duplicate', note: 'Already handled: the handler did not run again' };
  if (typeof answer?.deliveryId === 'string') return { verdict: 'first', note: `Delivery ${answer.deliveryId} handled and recorded as done` };
  if (answer && answer.deliveryId === null) return { verdict: 'no-id', note: 'No delivery id: handled and recorded as done by what its signature covers' };
  return { verdict: 'unknown', note: 'The handler answered in a shape the console does not know' };
}

const isSuccess = (status: number) => status >= 200 && status < 300;

function errorCodeOf(attempt: Attempt): string | undefined {
  const code = (jsonOf(attempt)?.error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function jsonOf(attempt: Attempt): Record<string, unknown> | undefined {
  if (!attempt.answer?.contentType?.includes('json')) return undefined;
  try {
    const value = JSON.parse(attempt.answer.body) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    // A cut or broken answer has nothing to read.
    return undefined;
  }
}
