/** Where and how long completed deliveries are remembered. */
export interface IdempotencySettings {
  /** DynamoDB table (IDEMPOTENCY_TABLE); unset keeps records in memory, for local runs only. */
  tableName?: string;
  /** IDEMPOTENCY_TTL_SECONDS: longer than any provider retries (Stripe: up to 3 days). */
  expiresAfterSeconds: number;
}

const tableName = /^[a-zA-Z0-9_.-]{3,255}$/;
const week = 7 * 24 * 3600;

type Env = Record<string, string | undefined>;

/** Reads the idempotency settings; problems are pushed for `loadConfig` to report with the rest. */
export function readIdempotencySettings(env: Env, problems: string[]): IdempotencySettings {
  const table = env.IDEMPOTENCY_TABLE || undefined;
  if (table !== undefined && !tableName.test(table)) {
    problems.push(`IDEMPOTENCY_TABLE must be a DynamoDB table name: 3 to 255 letters, digits, _ . or - (got "${table}")`);
  }
  const rawTtl = env.IDEMPOTENCY_TTL_SECONDS;
  const ttl = rawTtl ? Number(rawTtl) : week;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 365 * 24 * 3600) {
    problems.push(`IDEMPOTENCY_TTL_SECONDS must be an integer from 60 to 31536000 (got "${rawTtl}")`);
  }
  return { ...(table ? { tableName: table } : {}), expiresAfterSeconds: ttl };
}
