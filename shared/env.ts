import { ConfigError } from './errors.ts';

/** The process environment, or a test's stand-in for it. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The one reader of the environment: each setting is read and checked here, and every problem
 * is kept, so that `throwIfInvalid` reports them all in one `ConfigError` and a broken
 * deployment is fixed in one round. An entry point makes one reader and hands it to every
 * part that reads settings (`loadConfig`, the local server, the worker's DLQ).
 */
export class EnvReader {
  readonly #env: Env;
  readonly #problems: string[] = [];

  constructor(env: Env) {
    this.#env = env;
  }

  /** Every problem found so far, in the order found. */
  get problems(): readonly string[] {
    return this.#problems;
  }

  /** The value as set; `undefined` when unset. */
  raw(name: string): string | undefined {
    return this.#env[name];
  }

  /** The value, or `undefined` when unset or empty. */
  optional(name: string): string | undefined {
    return this.#env[name] || undefined;
  }

  /** Records a problem found by the caller's own rule. */
  problem(message: string): void {
    this.#problems.push(message);
  }

  /** A whole number from `min` to `max`; `fallback` when unset or empty. */
  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) this.problem(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return value;
  }

  /** The URL of an SQS FIFO queue, or `undefined` when unset or empty. */
  fifoQueueUrl(name: string): string | undefined {
    const raw = this.optional(name);
    if (raw !== undefined && (!URL.canParse(raw) || !raw.endsWith('.fifo'))) {
      this.problem(`${name} must be the URL of a FIFO queue, ending in .fifo (got "${raw}")`);
    }
    return raw;
  }

  /** The AWS region, as the SDK reads it (`AWS_REGION`, then `AWS_DEFAULT_REGION`). */
  region(): string | undefined {
    return this.optional('AWS_REGION') ?? this.optional('AWS_DEFAULT_REGION');
  }

  /** Throws one `ConfigError` listing every problem found, if there is any. */
  throwIfInvalid(): void {
    if (this.#problems.length > 0) throw new ConfigError([...this.#problems]);
  }
}
