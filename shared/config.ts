import packageJson from '../package.json' with { type: 'json' };
import type { AuthOptions, CognitoPool } from './auth.ts';
import { fetchDeploymentValues, planDeploymentValues, type DeploymentPlan, type DeploymentValues } from './deployment-parameters.ts';
import { ConfigError } from './errors.ts';
import { createLogger, describeError, isLogLevel, type LogFields, type Logger, type LogLevel } from './logger.ts';
import { defaultBodyLimit } from './body.ts';
import { readIdempotencySettings, type IdempotencySettings } from './idempotency/settings.ts';
import { loadRefreshingValue, type RefreshingValue } from './refreshing-value.ts';
import { readWebhookSecretSettings, type WebhookSecretSettings } from './signatures/secrets.ts';
import { createParameterReader, type ParameterReader, type SsmConnection } from './ssm-parameters.ts';
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
  /** User pool, app client and public host, from the environment or SSM; `get()` refreshes them. */
  deployment: RefreshingValue<DeploymentValues>;
  /** Where each deployment value came from (`env NAME`, `ssm /path`, `default`, `none`), never the value. */
  deploymentSources: DeploymentPlan['sources'];
  /** Cognito tokens on the API prefixes; absent when no user pool is configured (local runs). */
  auth?: AuthOptions;
  /** Reads SSM parameters (secrets too) through one client built on first use; absent without AWS_REGION. */
  parameters?: ParameterReader;
  /** Provider signing secrets: values from the environment, or the SSM SecureStrings holding them. */
  webhookSecrets: WebhookSecretSettings;
  /** Where completed webhook deliveries are recorded, and for how long. */
  idempotency: IdempotencySettings;
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the environment once per entry point, then, with DEPLOYMENT_ID, reads the
 * deployment's SSM parameters in one call. Every problem is reported in one `ConfigError`, so a
 * broken deployment is fixed in one round. `logger` hears about failed refreshes.
 */
export async function loadConfig(env: Env, options: { logger?: Logger } = {}): Promise<Config> {
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
  const plan = planDeploymentValues(env, `${host}:${port}`, problems);
  const needsSsm = Object.keys(plan.paths).length > 0;
  const ssm = readSsmConnection(env, needsSsm, problems);
  const refreshSeconds = readInteger(env, 'SSM_REFRESH_SECONDS', 0, 0, 86_400, problems);
  const prefixes = readPrefixes(env, problems);
  const tokenUse = env.AUTH_TOKEN_USE || 'any';
  if (!['id', 'access', 'any'].includes(tokenUse)) problems.push(`AUTH_TOKEN_USE must be id, access or any (got "${tokenUse}")`);
  const webhookSecrets = readWebhookSecretSettings(env, problems);
  const idempotency = readIdempotencySettings(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  const service = { name: env.SERVICE_NAME ?? packageJson.name, version: packageJson.version };
  const logger = options.logger ?? createLogger({ level: logLevel as LogLevel, fields: { service: service.name, component: 'config' } });
  const parameters = ssm && createParameterReader(ssm);
  const deployment = await loadRefreshingValue(() => fetchDeploymentValues(plan, parameters), {
    refreshMs: needsSsm ? refreshSeconds * 1000 : 0,
    onRefreshError: (error) => logger.warn('SSM parameter refresh failed, previous values kept', describeError(error)),
  });
  const { userPoolId, clientId } = await deployment.get();
  const auth: AuthOptions | undefined =
    userPoolId && clientId
      ? { prefixes, tokenUse: tokenUse === 'any' ? null : (tokenUse as 'id' | 'access'), pool: async () => cognitoPool(await deployment.get()) }
      : undefined;

  return {
    service,
    logLevel: logLevel as LogLevel,
    bodyLimit,
    port,
    host,
    localMode: localMode as Config['localMode'],
    localQueuePort,
    ...(queueUrl ? { queueUrl } : {}),
    ...(dlqUrl ? { dlqUrl } : {}),
    deployment,
    deploymentSources: plan.sources,
    ...(auth ? { auth } : {}),
    ...(parameters ? { parameters } : {}),
    webhookSecrets,
    idempotency,
  };
}

/** Fields for the start-up log line: where each value came from and whether auth is on, no values. */
export function describeConfig(config: Config): LogFields {
  return {
    deployment: config.deploymentSources,
    auth: config.auth
      ? `on for ${config.auth.prefixes.join(', ')}`
      : 'off: no user pool configured (set AUTH_USER_POOL_ID and AUTH_USER_POOL_CLIENT_ID, or DEPLOYMENT_ID)',
  };
}

// A refresh validates every value, so a pool configured at start-up stays configured.
function cognitoPool({ userPoolId, clientId }: DeploymentValues): CognitoPool {
  if (!userPoolId || !clientId) throw new Error('The user pool or app client id disappeared after start-up');
  return { userPoolId, clientId };
}

function readSsmConnection(env: Env, needed: boolean, problems: string[]): SsmConnection | undefined {
  const timeoutMs = readInteger(env, 'SSM_TIMEOUT_MS', 1000, 50, 10_000, problems);
  const maxAttempts = readInteger(env, 'SSM_MAX_ATTEMPTS', 3, 1, 10, problems);
  // The SDK itself honours AWS_ENDPOINT_URL_SSM, then AWS_ENDPOINT_URL; read here so the env
  // given to loadConfig (not process.env) decides, in tests too.
  const endpoint = env.AWS_ENDPOINT_URL_SSM || env.AWS_ENDPOINT_URL || undefined;
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) {
    problems.push(`${env.AWS_ENDPOINT_URL_SSM ? 'AWS_ENDPOINT_URL_SSM' : 'AWS_ENDPOINT_URL'} must be an http(s) URL (got "${endpoint}")`);
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  if (region === undefined) {
    if (needed) problems.push('AWS_REGION is required to read SSM parameters (Lambda sets it)');
    return undefined;
  }
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  // Keys in the environment (Lambda puts the role's there) are used as given; without them the
  // SDK's default chain looks further (profile, container, instance role).
  const credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined;
  return { region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}), timeoutMs, maxAttempts };
}

function readPrefixes(env: Env, problems: string[]): string[] {
  const prefixes = (env.AUTH_PATH_PREFIXES || '/api').split(',').map((prefix) => prefix.trim());
  const bad = prefixes.filter((prefix) => !/^\/[\w\-./~]*$/.test(prefix));
  if (bad.length > 0) problems.push(`AUTH_PATH_PREFIXES must be comma-separated paths starting with / (got "${bad.join('", "')}")`);
  return prefixes;
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
