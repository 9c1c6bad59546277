import { expect } from 'chai';
import { ConfigError } from '../../shared/errors.ts';
import { createParameterReader, type SsmConnection } from '../../shared/ssm-parameters.ts';
import { startSsmServer, type SsmServer } from '../helpers/ssm-server.ts';

// The real @aws-sdk/client-ssm against our SSM-protocol server on 127.0.0.1.
describe('createParameterReader', () => {
  let server: SsmServer;
  const poolPath = '/dep1/auth/user_pool_ref';
  const clientPath = '/dep1/cdn/pipe1/auth_user_pool_client_id';

  beforeEach(async () => {
    server = await startSsmServer({ [poolPath]: 'eu-west-1_AbC123', [clientPath]: '4vf1client' });
  });

  afterEach(async () => {
    await server.close();
  });

  function connect(overrides: Partial<SsmConnection> = {}): SsmConnection {
    return {
      region: 'eu-west-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
      timeoutMs: 200,
      maxAttempts: 3,
      ...overrides,
    };
  }

  async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }

  it('reads every parameter in one decrypting GetParameters call', async () => {
    const read = createParameterReader(connect());

    const values = await read([poolPath, clientPath]);

    expect(Object.fromEntries(values)).to.deep.equal({ [poolPath]: 'eu-west-1_AbC123', [clientPath]: '4vf1client' });
    expect(server.requests).to.deep.equal([{ target: 'AmazonSSM.GetParameters', Names: [poolPath, clientPath], WithDecryption: true }]);
  });

  it('returns a SecureString decrypted', async () => {
    server.parameters.set('/dep1/webhooks/stripe', { value: 'whsec_plain', type: 'SecureString' });
    const read = createParameterReader(connect());

    const values = await read(['/dep1/webhooks/stripe']);

    expect(values.get('/dep1/webhooks/stripe')).to.equal('whsec_plain');
  });

  it('reads a Secrets Manager secret through its /aws/reference/secretsmanager/ path', async () => {
    // SSM refuses these paths without WithDecryption (our server does too).
    const path = '/aws/reference/secretsmanager/webhooks/stripe';
    server.parameters.set(path, { value: 'whsec_from_secrets_manager', type: 'SecureString' });
    const read = createParameterReader(connect());

    const values = await read([path]);

    expect(Object.fromEntries(values)).to.deep.equal({ [path]: 'whsec_from_secrets_manager' });
  });

  it('names a missing secret without its neighbours\' values', async () => {
    server.parameters.set('/dep1/webhooks/stripe', { value: 'whsec_plain', type: 'SecureString' });
    const read = createParameterReader(connect());

    const error = await rejection(read(['/dep1/webhooks/stripe', '/dep1/webhooks/github']));

    expect(error.message).to.equal('Invalid configuration:\n- /dep1/webhooks/github: parameter not found in region eu-west-1');
  });

  it('names each missing parameter', async () => {
    const read = createParameterReader(connect());

    const error = await rejection(read([poolPath, '/dep1/missing/one', '/dep1/missing/two']));

    expect(error.problems).to.deep.equal([
      '/dep1/missing/one: parameter not found in region eu-west-1',
      '/dep1/missing/two: parameter not found in region eu-west-1',
    ]);
  });

  it('names each parameter when access is denied, without retrying', async () => {
    const denied = 'User: arn:aws:sts::123456789012:assumed-role/fn/x is not authorized to perform: ssm:GetParameters';
    server.failures.push({ type: 'AccessDeniedException', message: denied });
    const read = createParameterReader(connect());

    const error = await rejection(read([poolPath, clientPath]));

    const cause = `access denied, the role needs ssm:GetParameters on it (and kms:Decrypt for a SecureString) (AccessDeniedException: ${denied})`;
    expect(error.problems).to.deep.equal([`${poolPath}: ${cause}`, `${clientPath}: ${cause}`]);
    expect(server.requests).to.have.length(1);
  });

  it('retries a throttled call and returns the values', async () => {
    server.failures.push({ type: 'ThrottlingException', message: 'Rate exceeded' });
    const read = createParameterReader(connect());

    const values = await read([poolPath]);

    expect(Object.fromEntries(values)).to.deep.equal({ [poolPath]: 'eu-west-1_AbC123' });
    expect(server.requests).to.have.length(2);
  });

  it('gives up after maxAttempts throttled calls', async () => {
    server.failures.push(...Array.from({ length: 2 }, () => ({ type: 'ThrottlingException', message: 'Rate exceeded' })));
    const read = createParameterReader(connect({ maxAttempts: 2 }));

    const error = await rejection(read([poolPath]));

    expect(error.problems).to.deep.equal([`${poolPath}: GetParameters failed after 2 attempt(s) (ThrottlingException: Rate exceeded)`]);
    expect(server.requests).to.have.length(2);
  });

  it('retries a call that gets no answer in time', async () => {
    server.failures.push('hang');
    const read = createParameterReader(connect());

    const values = await read([poolPath]);

    expect(values.get(poolPath)).to.equal('eu-west-1_AbC123');
    expect(server.requests).to.have.length(2);
  });

  it('gives up when no attempt gets an answer in time', async () => {
    server.failures.push('hang', 'hang', 'hang');
    const read = createParameterReader(connect());

    const error = await rejection(read([poolPath]));

    expect(error.problems).to.have.length(1);
    expect(error.problems[0]).to.match(new RegExp(`^${poolPath}: no answer within 200 ms, gave up after 3 attempt\\(s\\) \\(TimeoutError: `));
    expect(server.requests).to.have.length(3);
  });

  it('retries a refused connection, then names the cause', async () => {
    const endpoint = server.endpoint;
    await server.close();
    const read = createParameterReader(connect({ endpoint, maxAttempts: 2 }));

    const error = await rejection(read([poolPath]));

    expect(error.problems).to.have.length(1);
    expect(error.problems[0]).to.match(new RegExp(`^${poolPath}: GetParameters failed after 2 attempt\\(s\\) \\(Error: .*ECONNREFUSED`));
    server = await startSsmServer();
  });

  it('rejects more names than one GetParameters call takes', async () => {
    const read = createParameterReader(connect());

    const error = await read(Array.from({ length: 11 }, (_, i) => `/p/${i}`)).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(RangeError).with.property('message', 'GetParameters takes 1 to 10 names (got 11)');
    expect(server.requests).to.deep.equal([]);
  });
});
