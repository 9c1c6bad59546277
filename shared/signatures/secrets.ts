import type { EnvReader } from '../env.ts';
import { ConfigError } from '../errors.ts';
import { loadRefreshingValue, type RefreshingValue } from '../refreshing-value.ts';
import type { ParameterReader } from '../ssm-parameters.ts';
import { isStandardWebhooksSecret } from './standard-webhooks.ts';

export const providers = ['stripe', 'github', 'twilio', 'shopify', 'slack', 'standard'] as const;
export type Provider = (typeof providers)[number];

/** Signing secrets per provider; a list, so a new secret can be added before the old one goes. */
export type ProviderSecrets = Partial<Record<Provider, readonly string[]>>;

/** Where each provider's secrets come from: the environment, or an SSM SecureString. */
export interface WebhookSecretSettings {
  values: ProviderSecrets;
  /** SSM parameter names; `/aws/reference/secretsmanager/<name>` reads Secrets Manager. */
  parameters: Partial<Record<Provider, string>>;
  /** Re-read the parameters after this many ms; 0 reads them once per cold start. */
  refreshMs: number;
}

/** `<NAME>` holds comma-separated secrets (local runs); `<NAME>_PARAMETER` names the SSM SecureString holding them. */
export const secretVariables: Record<Provider, string> = {
  stripe: 'STRIPE_WEBHOOK_SECRETS',
  github: 'GITHUB_WEBHOOK_SECRETS',
  twilio: 'TWILIO_AUTH_TOKENS',
  shopify: 'SHOPIFY_WEBHOOK_SECRETS',
  slack: 'SLACK_SIGNING_SECRETS',
  standard: 'STANDARD_WEBHOOK_SECRETS',
};

const parameterName = /^[a-zA-Z0-9_.\-/]{1,2048}$/;

/**
 * Reads the secret settings; problems name the variable, never a secret. The parameters are
 * re-read every `refreshMs` (SSM_REFRESH_SECONDS, read with the other SSM settings).
 */
export function readWebhookSecretSettings(env: EnvReader, refreshMs: number): WebhookSecretSettings {
  const settings: WebhookSecretSettings = { values: {}, parameters: {}, refreshMs };
  const problems: string[] = [];
  for (const provider of providers) {
    const name = secretVariables[provider];
    const value = env.optional(name);
    const parameter = env.optional(`${name}_PARAMETER`);
    if (value && parameter) problems.push(`${name} and ${name}_PARAMETER are both set; set one`);
    if (value) settings.values[provider] = parseSecrets(provider, value, name, problems);
    if (parameter) {
      if (parameterName.test(parameter)) settings.parameters[provider] = parameter;
      else problems.push(`${name}_PARAMETER must be an SSM parameter name (got "${parameter}")`);
    }
  }
  for (const problem of problems) env.problem(problem);
  return settings;
}

/**
 * The secrets behind `get()`: the environment's at once, the SSM ones in one GetParameters
 * call now (a failure fails start-up) and again every `refreshMs`, so a rotation in SSM is
 * picked up without a deployment.
 */
export function loadWebhookSecrets(
  settings: WebhookSecretSettings,
  read: ParameterReader | undefined,
  onRefreshError: (error: unknown) => void,
): Promise<RefreshingValue<ProviderSecrets>> {
  const wanted = Object.entries(settings.parameters) as [Provider, string][];
  const load = async (): Promise<ProviderSecrets> => {
    if (wanted.length === 0) return settings.values;
    if (!read) throw new ConfigError(['Webhook secret parameters are set but SSM cannot be reached (no AWS_REGION)']);
    const found = await read(wanted.map(([, name]) => name));
    const problems: string[] = [];
    const fetched: ProviderSecrets = {};
    for (const [provider, name] of wanted) fetched[provider] = parseSecrets(provider, found.get(name) ?? '', name, problems);
    if (problems.length > 0) throw new ConfigError(problems);
    return { ...settings.values, ...fetched };
  };
  return loadRefreshingValue(load, { refreshMs: wanted.length > 0 ? settings.refreshMs : 0, onRefreshError });
}

function parseSecrets(provider: Provider, raw: string, source: string, problems: string[]): string[] {
  const secrets = raw.split(',').map((secret) => secret.trim()).filter((secret) => secret !== '');
  if (secrets.length === 0) problems.push(`${source} holds no secret`);
  if (provider === 'standard') {
    const bad = secrets.flatMap((secret, index) => (isStandardWebhooksSecret(secret) ? [] : [index + 1]));
    if (bad.length > 0) problems.push(`${source}: secret ${bad.join(', ')} is not whsec_<base64>`);
  }
  return secrets;
}
