import { loadConfig, type Config, type LoadConfigOptions } from '../../shared/config.ts';
import { EnvReader, type Env } from '../../shared/env.ts';
import { defaultMaxBodyBytesInFlight } from './body-budget.ts';

/** Settings of the container entry (`node server.mjs`) only; the Lambda functions never read them. */
interface ServerSettings {
  /** Where the server listens (HOST, PORT): every interface by default, as a container needs. */
  host: string;
  port: number;
  /** The FIFO queue to consume and to queue webhook POSTs into (QUEUE_URL); unset: HTTP only. */
  queueUrl?: string;
  /** Its FIFO DLQ (DLQ_URL); unset: read from the queue's redrive policy. */
  dlqUrl?: string;
  /** The region of the queue's client (AWS_REGION); unset: the one in the URL. */
  region?: string;
  /** Another SQS endpoint, e.g. an SQS-compatible server (AWS_ENDPOINT_URL_SQS, or AWS_ENDPOINT_URL). */
  sqsEndpoint?: string;
  /** Batches in flight at once (QUEUE_CONCURRENCY). */
  queueConcurrency: number;
  /** Longest a replay may run before its record is retried (REPLAY_TIMEOUT_MS). */
  replayTimeoutMs: number;
  /** Time from SIGTERM to exit: in-flight batches finish within it (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Bytes of request bodies held at once (BODY_BYTES_IN_FLIGHT); past it, 503 server_busy. */
  maxBodyBytesInFlight: number;
  /** Behind a load balancer: the client address is the last X-Forwarded-For entry (TRUST_PROXY). */
  trustProxy: boolean;
}

type ServerConfig = Config & ServerSettings;

/**
 * The shared config and the server's settings, read together so that one `ConfigError` lists
 * every problem. Without DEPLOYMENT_ID or PUBLIC_HOST_NAME the public host is `HOST:PORT`.
 */
export async function loadServerConfig(env: Env, options: Pick<LoadConfigOptions, 'logger'> = {}): Promise<ServerConfig> {
  const reader = new EnvReader(env);
  const server = readServerSettings(reader);
  const config = await loadConfig(reader, { ...options, localHost: `${server.host}:${server.port}` });
  return { ...config, ...server };
}

/** What a stopping server keeps after the last replay's timeout: parking, answering, deleting. */
export const shutdownMarginMs = 5000;

function readServerSettings(env: EnvReader): ServerSettings {
  const port = env.integer('PORT', 8080, 0, 65535);
  const host = env.raw('HOST') ?? '0.0.0.0';
  if (host.trim() === '') env.problem('HOST must not be empty');
  const queueUrl = env.fifoQueueUrl('QUEUE_URL');
  const dlqUrl = env.fifoQueueUrl('DLQ_URL');
  const region = env.region();
  // The SDK's own variables, read here so that the env given to the reader decides, in tests too.
  const endpointVariable = env.optional('AWS_ENDPOINT_URL_SQS') ? 'AWS_ENDPOINT_URL_SQS' : 'AWS_ENDPOINT_URL';
  const sqsEndpoint = env.optional(endpointVariable);
  if (sqsEndpoint !== undefined && !/^https?:\/\//.test(sqsEndpoint)) env.problem(`${endpointVariable} must be an http(s) URL (got "${sqsEndpoint}")`);
  const queueConcurrency = env.integer('QUEUE_CONCURRENCY', 4, 1, 50);
  const replayTimeoutMs = env.integer('REPLAY_TIMEOUT_MS', 10_000, 100, 3_600_000);
  const shutdownTimeoutMs = env.integer('SHUTDOWN_TIMEOUT_MS', 25_000, 1_000, 3_600_000);
  // A replay still running when the shutdown time is up would be cut off and run again elsewhere;
  // the rest of the shutdown time parks, answers and deletes.
  if (replayTimeoutMs + shutdownMarginMs > shutdownTimeoutMs) {
    env.problem(`REPLAY_TIMEOUT_MS (${replayTimeoutMs}) must be at least ${shutdownMarginMs} below SHUTDOWN_TIMEOUT_MS (${shutdownTimeoutMs}), so a replay running at SIGTERM can finish`);
  }
  const maxBodyBytesInFlight = env.integer('BODY_BYTES_IN_FLIGHT', defaultMaxBodyBytesInFlight, 1024 * 1024, 4 * 1024 * 1024 * 1024);
  const trustProxy = env.optional('TRUST_PROXY') ?? 'false';
  if (trustProxy !== 'true' && trustProxy !== 'false') env.problem(`TRUST_PROXY must be true or false (got "${trustProxy}")`);
  return {
    host,
    port,
    ...(queueUrl ? { queueUrl } : {}),
    ...(dlqUrl ? { dlqUrl } : {}),
    ...(region ? { region } : {}),
    ...(sqsEndpoint ? { sqsEndpoint } : {}),
    queueConcurrency,
    replayTimeoutMs,
    shutdownTimeoutMs,
    maxBodyBytesInFlight,
    trustProxy: trustProxy === 'true',
  };
}
