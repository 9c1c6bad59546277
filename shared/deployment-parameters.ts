import type { EnvReader } from './env.ts';
import { ConfigError } from './errors.ts';
import type { ParameterReader } from './ssm-parameters.ts';

/** What the service learns about its deployment: Cognito user pool and app client, public host. */
export interface DeploymentValues {
  /** Absent in local runs without a user pool: authentication is then off. */
  userPoolId?: string;
  clientId?: string;
  /** Host name the public URL is rebuilt from (the ALB's DNS name; HOST:PORT locally). */
  publicHost?: string;
}

type Key = keyof DeploymentValues;

/** How each value is found: the values to fetch from SSM, the ones the environment set. */
export interface DeploymentPlan {
  /** SSM parameter path of each value still to read; empty when nothing needs a call. */
  paths: Partial<Record<Key, string>>;
  overrides: Partial<DeploymentValues>;
  /** Where each value comes from, for the start-up log (never the value itself). */
  sources: Record<Key, string>;
}

// The parameters of the original service, one per value; an environment variable overrides each
// (CloudFormation can pass `{{resolve:ssm:...}}` so the cold start makes no call).
const values: { key: Key; env: string; path: (deployment: string, pipeline: string) => string; pattern: RegExp; expected: string }[] = [
  {
    key: 'userPoolId',
    env: 'AUTH_USER_POOL_ID',
    path: (d) => `/${d}/auth/user_pool_ref`,
    // The form aws-jwt-verify accepts: a region, an underscore, an id.
    pattern: /^(?:eusc-[a-z]{2}|[a-z]{2})-(?:gov-)?[a-z]+-\d_[a-zA-Z0-9]+$/,
    expected: 'a Cognito user pool id like eu-west-1_AbC123',
  },
  {
    key: 'clientId',
    env: 'AUTH_USER_POOL_CLIENT_ID',
    path: (d, p) => `/${d}/cdn/${p}/auth_user_pool_client_id`,
    pattern: /^[\w+]{1,128}$/,
    expected: 'a Cognito app client id (letters, digits, _ and +)',
  },
  {
    key: 'publicHost',
    env: 'PUBLIC_HOST_NAME',
    path: (d, p) => `/${d}/ecs/${p}/albDnsName`,
    pattern: /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?(:\d{1,5})?$/,
    expected: 'a host name without scheme or path',
  },
];

const pathSegment = /^[a-zA-Z0-9_.-]{1,128}$/;

/**
 * Decides which values come from the environment and which from SSM. With DEPLOYMENT_ID every
 * value is required; without it (local runs) nothing is fetched, the pool is optional and the
 * public host is `localHost`, the local server's address.
 */
export function planDeploymentValues(env: EnvReader, localHost?: string): DeploymentPlan {
  const deployment = env.optional('DEPLOYMENT_ID');
  const pipeline = env.optional('PIPELINE_ID');
  for (const [name, id] of [['DEPLOYMENT_ID', deployment], ['PIPELINE_ID', pipeline]] as const) {
    if (id !== undefined && !pathSegment.test(id)) env.problem(`${name} must be 1 to 128 letters, digits, _ . or - (got "${id}")`);
  }

  const plan: DeploymentPlan = { paths: {}, overrides: {}, sources: { userPoolId: 'none', clientId: 'none', publicHost: 'none' } };
  const waitingForPipeline: string[] = [];
  for (const value of values) {
    const raw = env.optional(value.env);
    if (raw) {
      if (!value.pattern.test(raw)) env.problem(`${value.env} must be ${value.expected} (got "${raw}")`);
      plan.overrides[value.key] = raw;
      plan.sources[value.key] = `env ${value.env}`;
    } else if (deployment) {
      const path = value.path(deployment, pipeline ?? '{PIPELINE_ID}');
      if (!pipeline && path.includes('{PIPELINE_ID}')) waitingForPipeline.push(value.env);
      plan.paths[value.key] = path;
      plan.sources[value.key] = `ssm ${path}`;
    }
  }
  if (waitingForPipeline.length > 0) {
    env.problem(`PIPELINE_ID is required with DEPLOYMENT_ID, unless ${waitingForPipeline.join(' and ')} ${waitingForPipeline.length > 1 ? 'are' : 'is'} set`);
  }
  if (!deployment && (plan.overrides.userPoolId === undefined) !== (plan.overrides.clientId === undefined)) {
    env.problem('AUTH_USER_POOL_ID and AUTH_USER_POOL_CLIENT_ID must be set together (or neither, to run without authentication)');
  }
  if (!deployment && plan.overrides.publicHost === undefined && localHost !== undefined) {
    plan.overrides.publicHost = localHost;
    plan.sources.publicHost = 'default';
  }
  return plan;
}

/** Reads the planned paths in one GetParameters call and merges them with the overrides. */
export async function fetchDeploymentValues(plan: DeploymentPlan, read: ParameterReader | undefined): Promise<DeploymentValues> {
  const wanted = values.flatMap((value) => {
    const path = plan.paths[value.key];
    return path ? [{ ...value, path }] : [];
  });
  const fetched: Partial<DeploymentValues> = {};
  if (wanted.length > 0) {
    if (!read) throw new Error('fetchDeploymentValues: SSM paths are planned but no parameter reader was given');
    const found = await read(wanted.map((w) => w.path));
    const problems: string[] = [];
    for (const w of wanted) {
      const got = found.get(w.path) ?? '';
      if (!w.pattern.test(got)) problems.push(`${w.path}: must be ${w.expected} (got "${got}")`);
      fetched[w.key] = got;
    }
    if (problems.length > 0) throw new ConfigError(problems);
  }
  return { ...plan.overrides, ...fetched };
}
