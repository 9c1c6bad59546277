import type { Context } from 'aws-lambda';
import { createInvocationContext } from '../services/server/invocation-context.ts';

/** A Lambda context whose deadline is `remainingMs` from now: the one the queue consumer builds. */
export function makeLambdaContext(overrides: { remainingMs?: number; functionName?: string } = {}): Context {
  return createInvocationContext(overrides.functionName ?? 'webhook-intake-test', overrides.remainingMs ?? 60_000);
}
