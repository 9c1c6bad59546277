import packageJson from '../package.json' with { type: 'json' };
import type { AuthOptions, CognitoPool } from './auth.ts';
import { fetchDeploymentValues, planDeploymentValues, type DeploymentPlan, type DeploymentValues } from './deployment-parameters.ts';
import { EnvReader, type Env } from './env.ts';
import { createLogger, describeError, isLogLevel, type LogFields, type Logger, type LogLevel } from './logger.ts';
import { defaultBodyLimit } from './body.ts';
import type { IamAuthOptions } from './iam-auth.ts';
import { readIdempotencySettings, type IdempotencySettings } from './idempotency/settings.ts';
import { loadRefreshingValue, type RefreshingValue } from './refreshing-value.ts';
import { readWebhookSecretSettings, type WebhookSecretSettings } from './signatures/secrets.ts';
import { createParameterReader, type ParameterReader, type SsmConnection } from './ssm-parameters.ts';
import type { ServiceInfo } from './routes/service.ts';

export interface Config {
  service: ServiceInfo;
  logLevel: LogLevel;
  bodyLimit: number;
  /** User pool, app client and public host, from the environment or SSM; `get()` refreshes them. */
  deployment: RefreshingValue<DeploymentValues>;
  /** Where each deployment value came from (`env NAME`, `ssm /path`, `default`, `none`), never the value. */
  deploymentSources: DeploymentPlan['sources'];
  /** Cognito tokens on the API prefixes (AUTH_MODE=iam: API Gateway's SigV4 identity); absent when no user pool is configured (local runs). */
  auth?: AuthOptions | IamAuthOptions;
  /** Reads SSM parameters (secrets too) through one client built on first use; absent without AWS_REGION. */
  parameters?: ParameterReader;
  /** Provider signing secrets: values from the environment, or the SSM SecureStrings holding them. */
  webhookSecrets: WebhookSecretSettings;
  /** Where completed webhook deliveries are recorded, and for how long. */
  idempotency: IdempotencySettings;
}

export interface LoadConfigOptions {
  /** Hears about failed refreshes; by default a logger of its own. */
  logger?: Logger;
  /** The local server's `host:port`: the public host when neither DEPLOYMENT_ID nor PUBLIC_HOST_NAME names one. */
  localHost?: string;
}

/**
 * Reads and validates the settings every function shares, once per entry point, then, with
 * DEPLOYMENT_ID, reads the deployment's SSM parameters in one call. Given an `EnvReader`, the
 * caller's own settings (the worker's DLQ, the local server's) are reported in the same
 * `ConfigError`, so a broken deployment is fixed in one round.
 */
export async function loadConfig(env: Env | EnvReader, options: LoadConfigOptions = {}): Promise<Config> {
  const reader = env instanceof EnvReader ? env : new EnvReader(env);
  const logLevel = reader.raw('LOG_LEVEL') ?? 'info';
  if (!isLogLevel(logLevel)) reader.problem(`LOG_LEVEL must be one of debug, info, warn, error (got "${logLevel}")`);
  const bodyLimit = reader.integer('BODY_LIMIT_BYTES', defaultBodyLimit, 1, 10 * 1024 * 1024);
  const plan = planDeploymentValues(reader, options.localHost);
  const refreshSeconds = reader.integer('SSM_REFRESH_SECONDS', 0, 0, 86_400);
  const webhookSecrets = readWebhookSecretSettings(reader, refreshSeconds * 1000);
  const needsSsm = Object.keys(plan.paths).length > 0;
  const ssm = readSsmConnection(reader, needsSsm || Object.keys(webhookSecrets.parameters).length > 0);
  const prefixes = readPrefixes(reader);
  const authMode = reader.optional('AUTH_MODE') ?? 'cognito';
  if (authMode !== 'cognito' && authMode !== 'iam') reader.problem(`AUTH_MODE must be cognito or iam (got "${authMode}")`);
  const tokenUse = reader.optional('AUTH_TOKEN_USE') ?? 'any';
  if (!['id', 'access', 'any'].includes(tokenUse)) reader.problem(`AUTH_TOKEN_USE must be id, access or any (got "${tokenUse}")`);
  const idempotency = readIdempotencySettings(reader);
  reader.throwIfInvalid();

  const service = { name: reader.raw('SERVICE_NAME') ?? packageJson.name, version: packageJson.version };
  const logger = options.logger ?? createLogger({ level: logLevel as LogLevel, fields: { service: service.name, component: 'config' } });
  const parameters = ssm && createParameterReader(ssm);
  const deployment = await loadRefreshingValue(() => fetchDeploymentValues(plan, parameters), {
    refreshMs: needsSsm ? refreshSeconds * 1000 : 0,
    onRefreshError: (error) => logger.warn('SSM parameter refresh failed, previous values kept', describeError(error)),
  });
  const { userPoolId, clientId } = await deployment.get();
  const auth: Config['auth'] =
    authMode === 'iam'
      ? { mode: 'iam', prefixes }
      : userPoolId && clientId
        ? { prefixes, tokenUse: tokenUse === 'any' ? null : (tokenUse as 'id' | 'access'), pool: async () => cognitoPool(await deployment.get()) }
        : undefined;

  return {
    service,
    logLevel: logLevel as LogLevel,
    bodyLimit,
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
      ? `on for ${config.auth.prefixes.join(', ')}${'mode' in config.auth ? ': the SigV4 caller API Gateway verified (AUTH_MODE=iam)' : ''}`
      : 'off: no user pool configured (set AUTH_USER_POOL_ID and AUTH_USER_POOL_CLIENT_ID, or DEPLOYMENT_ID)',
  };
}

// A refresh validates every value, so a pool configured at start-up stays configured.
function cognitoPool({ userPoolId, clientId }: DeploymentValues): CognitoPool {
  if (!userPoolId || !clientId) throw new Error('The user pool or app client id disappeared after start-up');
  return { userPoolId, clientId };
}

function readSsmConnection(env: EnvReader, needed: boolean): SsmConnection | undefined {
  const timeoutMs = env.integer('SSM_TIMEOUT_MS', 1000, 50, 10_000);
  const maxAttempts = env.integer('SSM_MAX_ATTEMPTS', 3, 1, 10);
  // The SDK itself honours AWS_ENDPOINT_URL_SSM, then AWS_ENDPOINT_URL; read here so the env
  // given to loadConfig (not process.env) decides, in tests too.
  const endpointVariable = env.optional('AWS_ENDPOINT_URL_SSM') ? 'AWS_ENDPOINT_URL_SSM' : 'AWS_ENDPOINT_URL';
  const endpoint = env.optional(endpointVariable);
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) env.problem(`${endpointVariable} must be an http(s) URL (got "${endpoint}")`);
  const region = env.region();
  if (region === undefined) {
    if (needed) env.problem('AWS_REGION is required to read SSM parameters (Lambda sets it)');
    return undefined;
  }
  const accessKeyId = env.optional('AWS_ACCESS_KEY_ID');
  const secretAccessKey = env.optional('AWS_SECRET_ACCESS_KEY');
  const sessionToken = env.optional('AWS_SESSION_TOKEN');
  // Keys in the environment (Lambda puts the role's there) are used as given; without them the
  // SDK's default chain looks further (profile, container, instance role).
  const credentials = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined;
  return { region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}), timeoutMs, maxAttempts };
}

function readPrefixes(env: EnvReader): string[] {
  const prefixes = (env.optional('AUTH_PATH_PREFIXES') ?? '/api').split(',').map((prefix) => prefix.trim());
  const bad = prefixes.filter((prefix) => !/^\/[\w\-./~]*$/.test(prefix));
  if (bad.length > 0) env.problem(`AUTH_PATH_PREFIXES must be comma-separated paths starting with / (got "${bad.join('", "')}")`);
  return prefixes;
}
