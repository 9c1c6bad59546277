import { loadConfig, type Config, type LoadConfigOptions } from '../../shared/config.ts';
import { EnvReader, type Env } from '../../shared/env.ts';

/** Settings of `npm start` and the queue tools only; the Lambda functions never read them. */
export interface LocalSettings {
  /** Where the local server listens (HOST, PORT). */
  host: string;
  port: number;
  /** `queued` sends webhook POSTs through the queue, `direct` serves them straight (LOCAL_MODE). */
  localMode: 'queued' | 'direct';
  /** Port of the in-process fauxqs queue, where the queue tools find it (LOCAL_QUEUE_PORT). */
  localQueuePort: number;
  /** A real SQS FIFO queue instead of the in-process one (QUEUE_URL). */
  queueUrl?: string;
  /** Its FIFO DLQ (DLQ_URL); unset: read from the queue's redrive policy. */
  dlqUrl?: string;
  /** The region of QUEUE_URL's client (AWS_REGION); unset: the one in the URL. */
  region?: string;
  /** LOG_FORMAT: JSON lines, or one readable line each; unset: readable on a terminal only. */
  logFormat?: 'json' | 'pretty';
  /** DRAIN_TIMEOUT_SECONDS: how long Ctrl-C waits for the in-process queue to empty. */
  drainTimeoutSeconds: number;
}

export type LocalConfig = Config & LocalSettings;

/**
 * The shared config and the local settings, read together so that one `ConfigError` lists
 * every problem. Without DEPLOYMENT_ID or PUBLIC_HOST_NAME the public host is `HOST:PORT`.
 */
export async function loadLocalConfig(env: Env, options: Pick<LoadConfigOptions, 'logger'> = {}): Promise<LocalConfig> {
  const reader = new EnvReader(env);
  const local = readLocalSettings(reader);
  const config = await loadConfig(reader, { ...options, localHost: `${local.host}:${local.port}` });
  return { ...config, ...local };
}

function readLocalSettings(env: EnvReader): LocalSettings {
  const port = env.integer('PORT', 3000, 0, 65535);
  const host = env.raw('HOST') ?? '127.0.0.1';
  if (host.trim() === '') env.problem('HOST must not be empty');
  const localMode = env.optional('LOCAL_MODE') ?? 'queued';
  if (localMode !== 'queued' && localMode !== 'direct') env.problem(`LOCAL_MODE must be queued or direct (got "${localMode}")`);
  const localQueuePort = env.integer('LOCAL_QUEUE_PORT', 9324, 0, 65535);
  const queueUrl = env.fifoQueueUrl('QUEUE_URL');
  const dlqUrl = env.fifoQueueUrl('DLQ_URL');
  const region = env.region();
  const drainTimeoutSeconds = env.integer('DRAIN_TIMEOUT_SECONDS', 60, 0, 3600);
  const logFormat = env.optional('LOG_FORMAT');
  if (logFormat !== undefined && logFormat !== 'json' && logFormat !== 'pretty') env.problem(`LOG_FORMAT must be json or pretty (got "${logFormat}")`);
  return {
    host,
    port,
    localMode: localMode as LocalSettings['localMode'],
    localQueuePort,
    drainTimeoutSeconds,
    ...(queueUrl ? { queueUrl } : {}),
    ...(dlqUrl ? { dlqUrl } : {}),
    ...(region ? { region } : {}),
    ...(logFormat ? { logFormat: logFormat as LocalSettings['logFormat'] } : {}),
  };
}
