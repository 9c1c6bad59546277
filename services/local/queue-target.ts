import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { connectQueueUrl, findDeadLetterQueueUrl, type QueueTarget } from '../server/queue-target.ts';
import type { LocalSettings } from './local-config.ts';
import { createLocalSqsClient, localQueueName } from './local-queue.ts';

/**
 * The queue the local server and the queue tools use: `QUEUE_URL` (real SQS, credentials and
 * region from the usual AWS environment), else the fauxqs queue that `npm start` runs on
 * 127.0.0.1:`LOCAL_QUEUE_PORT`. `DLQ_URL` defaults to the queue's redrive target.
 */
export async function connectQueue(config: Pick<LocalSettings, 'queueUrl' | 'dlqUrl' | 'localQueuePort' | 'region'>): Promise<QueueTarget> {
  if (config.queueUrl) return connectQueueUrl(config.queueUrl, { ...(config.dlqUrl ? { dlqUrl: config.dlqUrl } : {}), ...(config.region ? { region: config.region } : {}) });
  const endpoint = `http://127.0.0.1:${config.localQueuePort}`;
  const client = createLocalSqsClient(endpoint);
  try {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: localQueueName }));
    return { client, queueUrl: QueueUrl!, dlqUrl: await findDeadLetterQueueUrl(client, QueueUrl!) };
  } catch (error) {
    client.destroy();
    throw new Error(`No local queue at ${endpoint}: start it with \`npm start\`, or set QUEUE_URL to use a real queue`, { cause: error });
  }
}
