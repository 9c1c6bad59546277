import packageJson from '../package.json' with { type: 'json' };
import { ConfigError } from './errors.ts';
import { isLogLevel, type LogLevel } from './logger.ts';
import { defaultBodyLimit } from './body.ts';
import type { ServiceInfo } from './routes/service.ts';

export interface Config {
  service: ServiceInfo;
  logLevel: LogLevel;
  bodyLimit: number;
  /** Local server only. */
  port: number;
  host: string;
  /** Local server: `queued` sends webhook POSTs through the queue, `direct` serves them straight (LOCAL_MODE). */
  localMode: 'queued' | 'direct';
  /** A real SQS FIFO queue for the local server and queue tools; unset: the in-process fauxqs queue. */
  queueUrl?: string;
  /** Its FIFO DLQ; unset: read from the queue's redrive policy. */
  dlqUrl?: string;
  /** Port of the in-process fauxqs queue, where the queue tools find it (LOCAL_QUEUE_PORT). */
  localQueuePort: number;
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the environment once per entry point. Every problem is reported in one
 * `ConfigError`, so a broken deployment is fixed in one round.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async: the SSM lookup belongs here
export async function loadConfig(env: Env): Promise<Config> {
  const problems: string[] = [];
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!isLogLevel(logLevel)) problems.push(`LOG_LEVEL must be one of debug, info, warn, error (got "${logLevel}")`);
  const bodyLimit = readInteger(env, 'BODY_LIMIT_BYTES', defaultBodyLimit, 1, 10 * 1024 * 1024, problems);
  const port = readInteger(env, 'PORT', 3000, 0, 65535, problems);
  const host = env.HOST ?? '127.0.0.1';
  if (host.trim() === '') problems.push('HOST must not be empty');
  const localMode = env.LOCAL_MODE || 'queued';
  if (localMode !== 'queued' && localMode !== 'direct') problems.push(`LOCAL_MODE must be queued or direct (got "${localMode}")`);
  const localQueuePort = readInteger(env, 'LOCAL_QUEUE_PORT', 9324, 0, 65535, problems);
  const queueUrl = readFifoQueueUrl(env, 'QUEUE_URL', problems);
  const dlqUrl = readFifoQueueUrl(env, 'DLQ_URL', problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    service: { name: env.SERVICE_NAME ?? packageJson.name, version: packageJson.version },
    logLevel: logLevel as LogLevel,
    bodyLimit,
    port,
    host,
    localMode: localMode as Config['localMode'],
    localQueuePort,
    ...(queueUrl ? { queueUrl } : {}),
    ...(dlqUrl ? { dlqUrl } : {}),
  };
}

function readFifoQueueUrl(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!URL.canParse(raw) || !raw.endsWith('.fifo')) problems.push(`${name} must be the URL of a FIFO queue, ending in .fifo (got "${raw}")`);
  return raw;
}

function readInteger(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}
