import { expect } from 'chai';
import { EnvReader } from '../../../shared/env.ts';
import { ConfigError } from '../../../shared/errors.ts';
import { loadWebhookSecrets, readWebhookSecretSettings } from '../../../shared/signatures/secrets.ts';
import { createParameterReader } from '../../../shared/ssm-parameters.ts';
import { startSsmServer, type SsmServer } from '../../helpers/ssm-server.ts';

const standardSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('readWebhookSecretSettings', () => {
  it('reads comma-separated secrets per provider, trimmed, and SSM parameter names', () => {
    const env = new EnvReader({
      STRIPE_WEBHOOK_SECRETS: 'whsec_new, whsec_old',
      TWILIO_AUTH_TOKENS: 'token-1',
      STANDARD_WEBHOOK_SECRETS: standardSecret,
      GITHUB_WEBHOOK_SECRETS_PARAMETER: '/prod/webhooks/github',
      SHOPIFY_WEBHOOK_SECRETS_PARAMETER: '/aws/reference/secretsmanager/shopify-webhook',
    });

    const settings = readWebhookSecretSettings(env, 300_000);

    expect(env.problems).to.deep.equal([]);
    expect(settings).to.deep.equal({
      values: { stripe: ['whsec_new', 'whsec_old'], twilio: ['token-1'], standard: [standardSecret] },
      parameters: { github: '/prod/webhooks/github', shopify: '/aws/reference/secretsmanager/shopify-webhook' },
      refreshMs: 300_000,
    });
  });

  it('lists every problem at once and never a secret', () => {
    const env = new EnvReader({
      SLACK_SIGNING_SECRETS: 'slack-secret',
      SLACK_SIGNING_SECRETS_PARAMETER: '/prod/slack',
      STANDARD_WEBHOOK_SECRETS: `${standardSecret},whsec_not base64!`,
      GITHUB_WEBHOOK_SECRETS: ' , ',
      STRIPE_WEBHOOK_SECRETS_PARAMETER: 'no spaces allowed',
    });

    readWebhookSecretSettings(env, 0);

    expect(env.problems).to.deep.equal([
      'STRIPE_WEBHOOK_SECRETS_PARAMETER must be an SSM parameter name (got "no spaces allowed")',
      'GITHUB_WEBHOOK_SECRETS holds no secret',
      'SLACK_SIGNING_SECRETS and SLACK_SIGNING_SECRETS_PARAMETER are both set; set one',
      'STANDARD_WEBHOOK_SECRETS: secret 2 is not whsec_<base64>',
    ]);
  });
});

describe('loadWebhookSecrets', () => {
  let ssm: SsmServer;
  beforeEach(async () => {
    ssm = await startSsmServer({
      '/prod/webhooks/github': { value: 'gh-new,gh-old', type: 'SecureString' },
      '/prod/webhooks/standard': { value: 'whsec_broken!', type: 'SecureString' },
    });
  });
  afterEach(() => ssm.close());

  const reader = () => createParameterReader({ region: 'eu-west-1', endpoint: ssm.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, timeoutMs: 1000, maxAttempts: 1 });

  it('merges the environment secrets with the SSM SecureStrings, read in one call with decryption', async () => {
    const settings = { values: { stripe: ['whsec_env'] }, parameters: { github: '/prod/webhooks/github' }, refreshMs: 0 };

    const secrets = await loadWebhookSecrets(settings, reader(), () => undefined);

    expect(await secrets.get()).to.deep.equal({ stripe: ['whsec_env'], github: ['gh-new', 'gh-old'] });
    expect(ssm.requests.map(({ Names, WithDecryption }) => ({ Names, WithDecryption }))).to.deep.equal([{ Names: ['/prod/webhooks/github'], WithDecryption: true }]);
  });

  it('picks up a secret rotated in SSM at the next refresh', async () => {
    const settings = { values: {}, parameters: { github: '/prod/webhooks/github' }, refreshMs: 1 };
    const secrets = await loadWebhookSecrets(settings, reader(), () => undefined);
    ssm.parameters.set('/prod/webhooks/github', { value: 'gh-newest,gh-new', type: 'SecureString' });
    await new Promise((resolve) => setTimeout(resolve, 5));

    expect(await secrets.get()).to.deep.equal({ github: ['gh-newest', 'gh-new'] });
  });

  it('fails start-up with a ConfigError naming the parameter, not the value, when a fetched secret is unusable', async () => {
    const settings = { values: {}, parameters: { standard: '/prod/webhooks/standard' }, refreshMs: 0 };

    const error = await loadWebhookSecrets(settings, reader(), () => undefined).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(ConfigError).with.deep.property('problems', ['/prod/webhooks/standard: secret 1 is not whsec_<base64>']);
  });

  it('fails start-up when a parameter is missing', async () => {
    const settings = { values: {}, parameters: { slack: '/prod/webhooks/slack' }, refreshMs: 0 };

    const error = await loadWebhookSecrets(settings, reader(), () => undefined).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(ConfigError).with.deep.property('problems', ['/prod/webhooks/slack: parameter not found in region eu-west-1']);
  });
});
