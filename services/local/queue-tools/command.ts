import type { LocalConfig } from '../local-config.ts';
import type { QueueTarget } from '../../server/queue-target.ts';
import { UsageError } from './errors.ts';

/** What a queue tool may use: the config, two output streams and the queue. */
interface CommandContext {
  config: LocalConfig;
  /** Results, on stdout. */
  out(line: string): void;
  /** Progress and warnings, on stderr, so that results stay pipeable. */
  progress(line: string): void;
  connect(): Promise<QueueTarget>;
}

export interface Command {
  summary: string;
  /** The full `--help` text. */
  usage: string;
  /** Resolves to the exit code; throws `UsageError` for bad arguments. */
  run(argv: string[], context: CommandContext): Promise<number>;
}

/** `--max 20` → 20; anything but a whole number from 1 to `limit` is a usage error. */
export function readCount(name: string, raw: string | undefined, fallback: number, limit = 1_000_000): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > limit) throw new UsageError(`--${name} must be a whole number from 1 to ${limit} (got "${raw}")`);
  return value;
}
