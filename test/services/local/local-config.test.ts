import { expect } from 'chai';
import { loadLocalConfig } from '../../../services/local/local-config.ts';
import { describeConfig } from '../../../shared/config.ts';
import { ConfigError } from '../../../shared/errors.ts';

describe('loadLocalConfig', () => {
  it('applies the local defaults, with HOST:PORT as the public host', async () => {
    const config = await loadLocalConfig({});

    expect({ host: config.host, port: config.port, localMode: config.localMode, localQueuePort: config.localQueuePort, drainTimeoutSeconds: config.drainTimeoutSeconds, queueUrl: config.queueUrl, dlqUrl: config.dlqUrl }).to.deep.equal({
      host: '127.0.0.1',
      port: 3000,
      localMode: 'queued',
      localQueuePort: 9324,
      drainTimeoutSeconds: 60,
      queueUrl: undefined,
      dlqUrl: undefined,
    });
    expect(await config.deployment.get()).to.deep.equal({ publicHost: '127.0.0.1:3000' });
    expect(describeConfig(config).deployment).to.deep.equal({ userPoolId: 'none', clientId: 'none', publicHost: 'default' });
  });

  it('reads a real queue, its DLQ and the local address', async () => {
    const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake.fifo';
    const dlqUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake-dlq.fifo';

    const config = await loadLocalConfig({ HOST: '0.0.0.0', PORT: '8080', LOCAL_MODE: 'direct', QUEUE_URL: queueUrl, DLQ_URL: dlqUrl, LOCAL_QUEUE_PORT: '9400' });

    expect([config.host, config.port, config.localMode, config.queueUrl, config.dlqUrl, config.localQueuePort]).to.deep.equal(['0.0.0.0', 8080, 'direct', queueUrl, dlqUrl, 9400]);
    expect(await config.deployment.get()).to.deep.equal({ publicHost: '0.0.0.0:8080' });
  });

  it('reports the local problems and the shared ones in one ConfigError', async () => {
    const env = {
      PORT: '70000',
      HOST: ' ',
      LOCAL_MODE: 'sideways',
      LOCAL_QUEUE_PORT: '-1',
      DRAIN_TIMEOUT_SECONDS: '1.5',
      QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/intake',
      DLQ_URL: 'dlq',
      LOG_FORMAT: 'yaml',
      LOG_LEVEL: 'verbose',
    };

    const error = await loadLocalConfig(env).then(() => undefined, (e: unknown) => e);

    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.deep.equal([
      'PORT must be an integer from 0 to 65535 (got "70000")',
      'HOST must not be empty',
      'LOCAL_MODE must be queued or direct (got "sideways")',
      'LOCAL_QUEUE_PORT must be an integer from 0 to 65535 (got "-1")',
      'QUEUE_URL must be the URL of a FIFO queue, ending in .fifo (got "https://sqs.eu-west-1.amazonaws.com/123456789012/intake")',
      'DLQ_URL must be the URL of a FIFO queue, ending in .fifo (got "dlq")',
      'DRAIN_TIMEOUT_SECONDS must be an integer from 0 to 3600 (got "1.5")',
      'LOG_FORMAT must be json or pretty (got "yaml")',
      'LOG_LEVEL must be one of debug, info, warn, error (got "verbose")',
    ]);
  });
});
