import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { sqsMaxMessageBytes } from '../../shared/queue-message/size.ts';
import { countMessages } from '../server/queue-target.ts';

export interface LocalQueue {
  /** `http://127.0.0.1:<port>`: point an SQS client here. */
  endpoint: string;
  queueUrl: string;
  dlqUrl: string;
  client: SQSClient;
  /** Messages on the queue (visible, in flight or delayed) and on its DLQ: what ending the process would drop. */
  depths(): Promise<{ queued: number; parked: number }>;
  stop(): Promise<void>;
}

interface LocalQueueOptions {
  port?: number;
  queueName?: string;
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
}

/** The queue `npm start` creates; its DLQ is `webhooks-dlq.fifo`. */
export const localQueueName = 'webhooks.fifo';

/** An SQS client for a local SQS-compatible endpoint; the credentials are placeholders it ignores. */
export function createLocalSqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/**
 * Starts an SQS-compatible server (fauxqs) in this process on 127.0.0.1 and creates the
 * FIFO queue and its FIFO DLQ with a redrive policy, as infra/ does in AWS. fauxqs 1.9 is
 * used because 2.x needs Node 22.5 (node:sqlite) and this service also runs on Node 20.
 */
export async function startLocalQueue(options: LocalQueueOptions = {}): Promise<LocalQueue> {
  const queueName = options.queueName ?? localQueueName;
  const server = buildApp({ logger: false });
  // fauxqs's own startFauxqs() binds 0.0.0.0; loopback is enough and exposes nothing.
  const address = await server.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const endpoint = address.replace('localhost', '127.0.0.1');
  const client = createLocalSqsClient(endpoint);

  const fifo = {
    FifoQueue: 'true',
    ContentBasedDeduplication: 'false',
    DeduplicationScope: 'messageGroup',
    FifoThroughputLimit: 'perMessageGroupId',
    MaximumMessageSize: String(sqsMaxMessageBytes),
  };
  const dlq = await client.send(new CreateQueueCommand({
    QueueName: queueName.replace(/\.fifo$/, '-dlq.fifo'),
    Attributes: { ...fifo, MessageRetentionPeriod: '1209600' },
  }));
  const dlqArn = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const queue = await client.send(new CreateQueueCommand({
    QueueName: queueName,
    Attributes: {
      ...fifo,
      VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
      MessageRetentionPeriod: '1209600',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn.Attributes?.QueueArn, maxReceiveCount: options.maxReceiveCount ?? 5 }),
    },
  }));

  return {
    endpoint,
    queueUrl: queue.QueueUrl!,
    dlqUrl: dlq.QueueUrl!,
    client,
    depths: async () => ({ queued: await countMessages(client, queue.QueueUrl!), parked: await countMessages(client, dlq.QueueUrl!) }),
    stop: async () => {
      client.destroy();
      await server.close();
    },
  };
}
