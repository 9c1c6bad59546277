import type { EnvReader } from '../env.ts';

/** Where and how long completed deliveries are remembered. */
export interface IdempotencySettings {
  /** DynamoDB table (IDEMPOTENCY_TABLE); unset keeps records in memory, for local runs only. */
  tableName?: string;
  /** IDEMPOTENCY_TTL_SECONDS: longer than any provider retries (Stripe: up to 3 days). */
  expiresAfterSeconds: number;
}

const tableName = /^[a-zA-Z0-9_.-]{3,255}$/;
const week = 7 * 24 * 3600;

/** Reads the idempotency settings; problems go to the reader, reported with the rest. */
export function readIdempotencySettings(env: EnvReader): IdempotencySettings {
  const table = env.optional('IDEMPOTENCY_TABLE');
  if (table !== undefined && !tableName.test(table)) {
    env.problem(`IDEMPOTENCY_TABLE must be a DynamoDB table name: 3 to 255 letters, digits, _ . or - (got "${table}")`);
  }
  const ttl = env.integer('IDEMPOTENCY_TTL_SECONDS', week, 60, 365 * 24 * 3600);
  return { ...(table ? { tableName: table } : {}), expiresAfterSeconds: ttl };
}
