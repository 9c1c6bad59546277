import { expect } from 'chai';
import { fetchDeploymentValues, planDeploymentValues } from '../../shared/deployment-parameters.ts';
import { EnvReader } from '../../shared/env.ts';
import { ConfigError } from '../../shared/errors.ts';

const paths = {
  userPoolId: '/dep1/auth/user_pool_ref',
  clientId: '/dep1/cdn/pipe1/auth_user_pool_client_id',
  publicHost: '/dep1/ecs/pipe1/albDnsName',
};

describe('planDeploymentValues', () => {
  it('plans no call and the local host without DEPLOYMENT_ID', () => {
    const env = new EnvReader({});

    const plan = planDeploymentValues(env, '127.0.0.1:3000');

    expect(plan).to.deep.equal({
      paths: {},
      overrides: { publicHost: '127.0.0.1:3000' },
      sources: { userPoolId: 'none', clientId: 'none', publicHost: 'default' },
    });
    expect(env.problems).to.deep.equal([]);
  });

  it('plans no public host without DEPLOYMENT_ID when no local server names one (a Lambda function)', () => {
    const env = new EnvReader({});

    const plan = planDeploymentValues(env);

    expect(plan).to.deep.equal({ paths: {}, overrides: {}, sources: { userPoolId: 'none', clientId: 'none', publicHost: 'none' } });
    expect(env.problems).to.deep.equal([]);
  });

  it('plans the three parameters of the original service with DEPLOYMENT_ID and PIPELINE_ID', () => {
    const env = new EnvReader({ DEPLOYMENT_ID: 'dep1', PIPELINE_ID: 'pipe1' });

    const plan = planDeploymentValues(env, '127.0.0.1:3000');

    expect(plan).to.deep.equal({
      paths,
      overrides: {},
      sources: { userPoolId: `ssm ${paths.userPoolId}`, clientId: `ssm ${paths.clientId}`, publicHost: `ssm ${paths.publicHost}` },
    });
    expect(env.problems).to.deep.equal([]);
  });

  it('lets an environment variable replace each parameter', () => {
    const env = new EnvReader({ DEPLOYMENT_ID: 'dep1', PIPELINE_ID: 'pipe1', AUTH_USER_POOL_CLIENT_ID: 'envclient', PUBLIC_HOST_NAME: 'hooks.example.com' });

    const plan = planDeploymentValues(env, '127.0.0.1:3000');

    expect(plan).to.deep.equal({
      paths: { userPoolId: paths.userPoolId },
      overrides: { clientId: 'envclient', publicHost: 'hooks.example.com' },
      sources: { userPoolId: `ssm ${paths.userPoolId}`, clientId: 'env AUTH_USER_POOL_CLIENT_ID', publicHost: 'env PUBLIC_HOST_NAME' },
    });
  });

  it('needs no PIPELINE_ID when the pipeline-scoped values come from the environment', () => {
    const env = new EnvReader({ DEPLOYMENT_ID: 'dep1', AUTH_USER_POOL_CLIENT_ID: 'envclient', PUBLIC_HOST_NAME: 'hooks.example.com' });

    planDeploymentValues(env, 'h:1');

    expect(env.problems).to.deep.equal([]);
  });

  it('reports every problem together', () => {
    const env = new EnvReader({
      DEPLOYMENT_ID: 'dep/1',
      AUTH_USER_POOL_ID: 'not-a-pool',
      PUBLIC_HOST_NAME: 'https://hooks.example.com/',
    });

    planDeploymentValues(env, '127.0.0.1:3000');

    expect(env.problems).to.deep.equal([
      'DEPLOYMENT_ID must be 1 to 128 letters, digits, _ . or - (got "dep/1")',
      'AUTH_USER_POOL_ID must be a Cognito user pool id like eu-west-1_AbC123 (got "not-a-pool")',
      'PUBLIC_HOST_NAME must be a host name without scheme or path (got "https://hooks.example.com/")',
      'PIPELINE_ID is required with DEPLOYMENT_ID, unless AUTH_USER_POOL_CLIENT_ID is set',
    ]);
  });

  it('rejects a local user pool without its app client', () => {
    const env = new EnvReader({ AUTH_USER_POOL_ID: 'eu-west-1_AbC123' });

    planDeploymentValues(env, '127.0.0.1:3000');

    expect(env.problems).to.deep.equal(['AUTH_USER_POOL_ID and AUTH_USER_POOL_CLIENT_ID must be set together (or neither, to run without authentication)']);
  });
});

describe('fetchDeploymentValues', () => {
  const plan = () => planDeploymentValues(new EnvReader({ DEPLOYMENT_ID: 'dep1', PIPELINE_ID: 'pipe1', PUBLIC_HOST_NAME: 'hooks.example.com' }), 'h:1');

  it('merges fetched values with the overrides', async () => {
    const requested: (readonly string[])[] = [];
    const read = (names: readonly string[]) => {
      requested.push(names);
      return Promise.resolve(new Map([[paths.userPoolId, 'eu-west-1_AbC123'], [paths.clientId, 'ssmclient']]));
    };

    const values = await fetchDeploymentValues(plan(), read);

    expect(values).to.deep.equal({ userPoolId: 'eu-west-1_AbC123', clientId: 'ssmclient', publicHost: 'hooks.example.com' });
    expect(requested).to.deep.equal([[paths.userPoolId, paths.clientId]]);
  });

  it('names the parameter path of each unusable value', async () => {
    const read = () => Promise.resolve(new Map([[paths.userPoolId, 'eu-west-1'], [paths.clientId, 'bad client']]));

    const error = await fetchDeploymentValues(plan(), read).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.deep.equal([
      `${paths.userPoolId}: must be a Cognito user pool id like eu-west-1_AbC123 (got "eu-west-1")`,
      `${paths.clientId}: must be a Cognito app client id (letters, digits, _ and +) (got "bad client")`,
    ]);
  });
});
