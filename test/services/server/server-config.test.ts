import { expect } from 'chai';
import { loadServerConfig } from '../../../services/server/server-config.ts';
import { ConfigError } from '../../../shared/errors.ts';

describe('loadServerConfig', () => {
  it('listens on every interface by default, consumes no queue, and has the shutdown defaults', async () => {
    const config = await loadServerConfig({});

    expect({ host: config.host, port: config.port, queueUrl: config.queueUrl, queueConcurrency: config.queueConcurrency, replayTimeoutMs: config.replayTimeoutMs, shutdownTimeoutMs: config.shutdownTimeoutMs, maxBodyBytesInFlight: config.maxBodyBytesInFlight, trustProxy: config.trustProxy }).to.deep.equal({
      host: '0.0.0.0',
      port: 8080,
      queueUrl: undefined,
      queueConcurrency: 4,
      replayTimeoutMs: 10_000,
      shutdownTimeoutMs: 25_000,
      maxBodyBytesInFlight: 32 * 1024 * 1024,
      trustProxy: false,
    });
    expect(await config.deployment.get()).to.deep.equal({ publicHost: '0.0.0.0:8080' });
  });

  it('reads the queue, its DLQ and the settings infra/container.yaml gives the task', async () => {
    const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/acme-webhooks.fifo';
    const dlqUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/acme-webhooks-dlq.fifo';

    const config = await loadServerConfig({ PORT: '8080', QUEUE_URL: queueUrl, DLQ_URL: dlqUrl, QUEUE_CONCURRENCY: '8', REPLAY_TIMEOUT_MS: '100000', SHUTDOWN_TIMEOUT_MS: '110000', BODY_BYTES_IN_FLIGHT: '8388608', TRUST_PROXY: 'true', PUBLIC_HOST_NAME: 'hooks.example.com' });

    expect([config.queueUrl, config.dlqUrl, config.queueConcurrency, config.replayTimeoutMs, config.shutdownTimeoutMs, config.maxBodyBytesInFlight, config.trustProxy]).to.deep.equal([queueUrl, dlqUrl, 8, 100_000, 110_000, 8 * 1024 * 1024, true]);
    expect(await config.deployment.get()).to.deep.equal({ publicHost: 'hooks.example.com' });
  });

  it('reports its problems and the shared ones in one ConfigError', async () => {
    const env = {
      PORT: 'eighty',
      HOST: '',
      QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake',
      QUEUE_CONCURRENCY: '0',
      REPLAY_TIMEOUT_MS: '30000',
      SHUTDOWN_TIMEOUT_MS: '30000',
      BODY_BYTES_IN_FLIGHT: '1000',
      TRUST_PROXY: 'yes',
      AWS_ENDPOINT_URL_SQS: '127.0.0.1:9324',
      LOG_LEVEL: 'verbose',
    };

    const error = await loadServerConfig(env).then(() => undefined, (e: unknown) => e);

    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.deep.equal([
      'PORT must be an integer from 0 to 65535 (got "eighty")',
      'HOST must not be empty',
      'QUEUE_URL must be the URL of a FIFO queue, ending in .fifo (got "https://sqs.eu-west-1.amazonaws.com/123456789012/intake")',
      'AWS_ENDPOINT_URL_SQS must be an http(s) URL (got "127.0.0.1:9324")',
      'QUEUE_CONCURRENCY must be an integer from 1 to 50 (got "0")',
      'REPLAY_TIMEOUT_MS (30000) must be at least 5000 below SHUTDOWN_TIMEOUT_MS (30000), so a replay running at SIGTERM can finish',
      'BODY_BYTES_IN_FLIGHT must be an integer from 1048576 to 4294967296 (got "1000")',
      'TRUST_PROXY must be true or false (got "yes")',
      'LOG_LEVEL must be one of debug, info, warn, error (got "verbose")',
    ]);
  });
});
