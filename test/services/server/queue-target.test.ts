import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { startLocalQueue } from '../../../services/local/local-queue.ts';
import { createSqsClient, findDeadLetterQueueUrl } from '../../../services/server/queue-target.ts';
import { withAwsEnv } from '../../helpers/queue.ts';

// Queues are fauxqs, an SQS-compatible server, on 127.0.0.1 in this process.
describe('findDeadLetterQueueUrl', () => {
  it('asks for DLQ_URL when the queue has no redrive policy', async () => {
    const queue = await startLocalQueue();
    try {
      const { QueueUrl } = await queue.client.send(new CreateQueueCommand({ QueueName: 'alone.fifo', Attributes: { FifoQueue: 'true' } }));

      const error = await findDeadLetterQueueUrl(queue.client, QueueUrl!).then(() => undefined, (e: Error) => e.message);

      expect(error).to.equal(`Queue ${QueueUrl} has no redrive policy: set DLQ_URL`);
    } finally {
      await queue.stop();
    }
  });
});

describe('createSqsClient', () => {
  it("takes the region from an AWS queue URL and keeps AWS's endpoint", async () => {
    const client = await withAwsEnv({}, () => Promise.resolve(createSqsClient('https://sqs.eu-west-3.amazonaws.com/123456789012/webhooks.fifo')));

    expect([await client.config.region(), client.config.isCustomEndpoint]).to.deep.equal(['eu-west-3', false]);
  });

  it('prefers the configured region (AWS_REGION) to the one in the URL', async () => {
    const client = createSqsClient('https://sqs.eu-west-3.amazonaws.com/123456789012/webhooks.fifo', 'eu-central-1');

    expect(await client.config.region()).to.equal('eu-central-1');
  });

  it('reaches a queue outside AWS at its own host', async () => {
    const client = createSqsClient('http://127.0.0.1:4566/000000000000/webhooks.fifo', 'eu-central-1');
    const endpoint = await client.config.endpoint?.();

    expect([await client.config.region(), client.config.isCustomEndpoint, endpoint?.hostname, endpoint?.port]).to.deep.equal(['eu-central-1', true, '127.0.0.1', 4566]);
  });

  it('reaches an SQS-compatible server at the endpoint given (AWS_ENDPOINT_URL_SQS), whatever host the queue URL names', async () => {
    const client = createSqsClient('http://sqs.us-east-1.localhost:4566/000000000000/webhooks.fifo', 'us-east-1', 'http://127.0.0.1:9324');
    const endpoint = await client.config.endpoint?.();

    expect([endpoint?.hostname, endpoint?.port]).to.deep.equal(['127.0.0.1', 9324]);
  });
});
