import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { inject } from 'light-my-request';
import type { AuthOptions } from '../../shared/auth.ts';
import { describeConfig, loadConfig, type Config } from '../../shared/config.ts';
import { EnvReader } from '../../shared/env.ts';
import { ConfigError } from '../../shared/errors.ts';
import { makeApp } from '../../factories/app.ts';
import { makeCapturingLogger } from '../../factories/logger.ts';
import { startSsmServer, type SsmServer } from '../helpers/ssm-server.ts';

const paths = {
  userPoolId: '/dep1/auth/user_pool_ref',
  clientId: '/dep1/cdn/pipe1/auth_user_pool_client_id',
  publicHost: '/dep1/ecs/pipe1/albDnsName',
};

/** The Cognito settings, when the config has them (AUTH_MODE=cognito, the default). */
function cognitoAuth(config: Config): AuthOptions | undefined {
  return config.auth && !('mode' in config.auth) ? config.auth : undefined;
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  it('applies defaults without DEPLOYMENT_ID, with authentication off and no public host', async () => {
    const config = await loadConfig({});

    expect(await config.deployment.get()).to.deep.equal({});
    expect({ auth: config.auth, parameters: config.parameters, healthy: config.deployment.isHealthy() }).to.deep.equal({
      auth: undefined,
      parameters: undefined,
      healthy: true,
    });
    expect(describeConfig(config)).to.deep.equal({
      deployment: { userPoolId: 'none', clientId: 'none', publicHost: 'none' },
      auth: 'off: no user pool configured (set AUTH_USER_POOL_ID and AUTH_USER_POOL_CLIENT_ID, or DEPLOYMENT_ID)',
    });
  });

  it('turns authentication on for a local user pool', async () => {
    const config = await loadConfig({ AUTH_USER_POOL_ID: 'eu-west-1_AbC123', AUTH_USER_POOL_CLIENT_ID: 'localclient', AUTH_TOKEN_USE: 'access', AUTH_PATH_PREFIXES: '/api, /admin' });

    expect({ prefixes: config.auth?.prefixes, tokenUse: cognitoAuth(config)?.tokenUse, pool: await cognitoAuth(config)?.pool() }).to.deep.equal({
      prefixes: ['/api', '/admin'],
      tokenUse: 'access',
      pool: { userPoolId: 'eu-west-1_AbC123', clientId: 'localclient' },
    });
    expect(describeConfig(config).auth).to.equal('on for /api, /admin');
  });

  it('trusts API Gateway\'s IAM identity on the API prefixes with AUTH_MODE=iam, with no user pool', async () => {
    const config = await loadConfig({ AUTH_MODE: 'iam', AUTH_PATH_PREFIXES: '/api' });

    expect(config.auth).to.deep.equal({ mode: 'iam', prefixes: ['/api'] });
    expect(describeConfig(config).auth).to.equal('on for /api: the SigV4 caller API Gateway verified (AUTH_MODE=iam)');
  });

  it('reports every invalid variable together', async () => {
    const env = {
      LOG_LEVEL: 'verbose',
      BODY_LIMIT_BYTES: '-1',
      DEPLOYMENT_ID: 'dep 1',
      AUTH_USER_POOL_CLIENT_ID: 'bad client',
      SSM_TIMEOUT_MS: '5',
      SSM_MAX_ATTEMPTS: '0',
      SSM_REFRESH_SECONDS: 'soon',
      AWS_ENDPOINT_URL_SSM: 'localhost:4583',
      AUTH_PATH_PREFIXES: 'api,/ok',
      AUTH_MODE: 'saml',
      AUTH_TOKEN_USE: 'refresh',
      IDEMPOTENCY_TTL_SECONDS: '59',
      GITHUB_WEBHOOK_SECRETS_PARAMETER: '/prod/github',
    };

    const error = await configError(loadConfig(env));

    expect(error.problems).to.deep.equal([
      'LOG_LEVEL must be one of debug, info, warn, error (got "verbose")',
      'BODY_LIMIT_BYTES must be an integer from 1 to 10485760 (got "-1")',
      'DEPLOYMENT_ID must be 1 to 128 letters, digits, _ . or - (got "dep 1")',
      'AUTH_USER_POOL_CLIENT_ID must be a Cognito app client id (letters, digits, _ and +) (got "bad client")',
      'PIPELINE_ID is required with DEPLOYMENT_ID, unless PUBLIC_HOST_NAME is set',
      'SSM_REFRESH_SECONDS must be an integer from 0 to 86400 (got "soon")',
      'SSM_TIMEOUT_MS must be an integer from 50 to 10000 (got "5")',
      'SSM_MAX_ATTEMPTS must be an integer from 1 to 10 (got "0")',
      'AWS_ENDPOINT_URL_SSM must be an http(s) URL (got "localhost:4583")',
      'AWS_REGION is required to read SSM parameters (Lambda sets it)',
      'AUTH_PATH_PREFIXES must be comma-separated paths starting with / (got "api")',
      'AUTH_MODE must be cognito or iam (got "saml")',
      'AUTH_TOKEN_USE must be id, access or any (got "refresh")',
      'IDEMPOTENCY_TTL_SECONDS must be an integer from 60 to 31536000 (got "59")',
    ]);
  });

  it('asks for AWS_REGION once when only the webhook secrets are in SSM', async () => {
    const error = await configError(loadConfig({ GITHUB_WEBHOOK_SECRETS_PARAMETER: '/prod/github' }));

    expect(error.problems).to.deep.equal(['AWS_REGION is required to read SSM parameters (Lambda sets it)']);
  });

  it('takes the reader of the entry point, so that its own settings are reported with the rest', async () => {
    const env = new EnvReader({ DLQ_URL: 'not a queue', LOG_LEVEL: 'loud' });
    env.fifoQueueUrl('DLQ_URL');

    const error = await configError(loadConfig(env));

    expect(error.problems).to.deep.equal([
      'DLQ_URL must be the URL of a FIFO queue, ending in .fifo (got "not a queue")',
      'LOG_LEVEL must be one of debug, info, warn, error (got "loud")',
    ]);
  });

  describe('with DEPLOYMENT_ID', () => {
    let server: SsmServer;

    beforeEach(async () => {
      server = await startSsmServer({ [paths.userPoolId]: 'eu-west-1_AbC123', [paths.clientId]: 'ssmclient', [paths.publicHost]: 'alb-1.eu-west-1.elb.amazonaws.com' });
    });

    afterEach(async () => {
      await server.close();
    });

    function deploymentEnv(overrides: Record<string, string> = {}): Record<string, string> {
      return {
        DEPLOYMENT_ID: 'dep1',
        PIPELINE_ID: 'pipe1',
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_SSM: server.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
        AWS_SECRET_ACCESS_KEY: 'local-test-secret',
        SSM_TIMEOUT_MS: '200',
        ...overrides,
      };
    }

    it('reads the three parameters in one GetParameters call and turns authentication on', async () => {
      const config = await loadConfig(deploymentEnv());

      expect(await config.deployment.get()).to.deep.equal({ userPoolId: 'eu-west-1_AbC123', clientId: 'ssmclient', publicHost: 'alb-1.eu-west-1.elb.amazonaws.com' });
      expect(await cognitoAuth(config)?.pool()).to.deep.equal({ userPoolId: 'eu-west-1_AbC123', clientId: 'ssmclient' });
      expect(server.requests).to.deep.equal([
        { target: 'AmazonSSM.GetParameters', Names: [paths.userPoolId, paths.clientId, paths.publicHost], WithDecryption: true },
      ]);
    });

    it('makes no call when environment variables replace every parameter', async () => {
      const env = deploymentEnv({ AUTH_USER_POOL_ID: 'eu-west-1_EnvPool', AUTH_USER_POOL_CLIENT_ID: 'envclient', PUBLIC_HOST_NAME: 'hooks.example.com' });

      const config = await loadConfig(env);

      expect(await config.deployment.get()).to.deep.equal({ userPoolId: 'eu-west-1_EnvPool', clientId: 'envclient', publicHost: 'hooks.example.com' });
      expect(server.requests).to.deep.equal([]);
    });

    it('reads only the parameters the environment leaves', async () => {
      const config = await loadConfig(deploymentEnv({ AUTH_USER_POOL_ID: 'eu-west-1_EnvPool' }));

      expect(await config.deployment.get()).to.deep.equal({ userPoolId: 'eu-west-1_EnvPool', clientId: 'ssmclient', publicHost: 'alb-1.eu-west-1.elb.amazonaws.com' });
      expect(server.requests.map((r) => r.Names)).to.deep.equal([[paths.clientId, paths.publicHost]]);
    });

    it('fails start-up naming each missing parameter', async () => {
      server.parameters.delete(paths.clientId);
      server.parameters.delete(paths.publicHost);

      const error = await configError(loadConfig(deploymentEnv()));

      expect(error.problems).to.deep.equal([
        `${paths.clientId}: parameter not found in region eu-west-1`,
        `${paths.publicHost}: parameter not found in region eu-west-1`,
      ]);
    });

    it('fails start-up naming every parameter when access is denied', async () => {
      server.failures.push({ type: 'AccessDeniedException', message: 'not authorized to perform: ssm:GetParameters' });

      const error = await configError(loadConfig(deploymentEnv()));

      expect(error.problems.map((problem) => problem.split(': access denied')[0])).to.deep.equal([paths.userPoolId, paths.clientId, paths.publicHost]);
    });

    it('starts after a throttled first call', async () => {
      server.failures.push({ type: 'ThrottlingException', message: 'Rate exceeded' });

      const config = await loadConfig(deploymentEnv());

      expect((await config.deployment.get()).clientId).to.equal('ssmclient');
      expect(server.requests).to.have.length(2);
    });

    it('refreshes after SSM_REFRESH_SECONDS, keeps the values when a refresh fails, and /health says so without values', async () => {
      const { logger, lines } = makeCapturingLogger();
      const config = await loadConfig(deploymentEnv({ SSM_REFRESH_SECONDS: '1' }), { logger });
      const { app } = makeApp({ health: { config: config.deployment.isHealthy } });
      server.parameters.set(paths.clientId, { value: 'rotatedclient' });

      await sleep(1050);
      const refreshed = await cognitoAuth(config)?.pool();
      server.failures.push({ type: 'AccessDeniedException', message: 'not authorized' });
      await sleep(1050);
      const kept = await cognitoAuth(config)?.pool();
      const health = await inject(app.callback(), { method: 'GET', url: '/health' });

      expect({ refreshed, kept }).to.deep.equal({
        refreshed: { userPoolId: 'eu-west-1_AbC123', clientId: 'rotatedclient' },
        kept: { userPoolId: 'eu-west-1_AbC123', clientId: 'rotatedclient' },
      });
      expect({ status: health.statusCode, body: health.json<unknown>() }).to.deep.equal({
        status: 503,
        body: { status: 'degraded', checks: { config: 'failing' }, version: '0.0.0-test' },
      });
      expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).to.deep.equal(['SSM parameter refresh failed, previous values kept']);
      expect(server.requests).to.have.length(3);
    });
  });

  it('loads no AWS SDK code when no SSM call is needed', async () => {
    // A fresh process, since this one has loaded the SDK already. CommonJS modules, the SDK's
    // dist-cjs included, land in require.cache however they are imported.
    const script = `
      import { createRequire } from 'node:module';
      import { loadConfig } from './shared/config.ts';
      const require = createRequire(import.meta.url);
      const loaded = () => Object.keys(require.cache).some((file) => file.includes('/@aws-sdk/client-ssm/'));
      await loadConfig({});
      const local = loaded();
      await loadConfig({ DEPLOYMENT_ID: 'dep1', AWS_REGION: 'eu-west-1', AUTH_USER_POOL_ID: 'eu-west-1_AbC123', AUTH_USER_POOL_CLIENT_ID: 'c', PUBLIC_HOST_NAME: 'h.example.com' });
      const overridden = loaded();
      await import('@aws-sdk/client-ssm');
      console.log(JSON.stringify({ local, overridden, afterImport: loaded() }));
    `;

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);

    expect(JSON.parse(stdout)).to.deep.equal({ local: false, overridden: false, afterImport: true });
  });
});
