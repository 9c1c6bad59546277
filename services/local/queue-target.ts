import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalSettings } from './local-config.ts';
import { createLocalSqsClient, localQueueName } from './local-queue.ts';

/** A FIFO queue and its DLQ, and the client that reaches them: fauxqs or real SQS alike. */
export interface QueueTarget {
  client: SQSClient;
  queueUrl: string;
  dlqUrl: string;
}

/**
 * The queue the local server and the queue tools use: `QUEUE_URL` (real SQS, credentials and
 * region from the usual AWS environment), else the fauxqs queue that `npm start` runs on
 * 127.0.0.1:`LOCAL_QUEUE_PORT`. `DLQ_URL` defaults to the queue's redrive target.
 */
export async function connectQueue(config: Pick<LocalSettings, 'queueUrl' | 'dlqUrl' | 'localQueuePort' | 'region'>): Promise<QueueTarget> {
  if (config.queueUrl) {
    const client = createSqsClient(config.queueUrl, config.region);
    return { client, queueUrl: config.queueUrl, dlqUrl: config.dlqUrl ?? (await findDeadLetterQueueUrl(client, config.queueUrl)) };
  }
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

/**
 * An SQS client for a queue URL. The region is `region` (AWS_REGION), else the one in the URL
 * (`sqs.<region>.amazonaws.com`, or the legacy `<region>.queue.amazonaws.com`); a queue outside
 * AWS (LocalStack, ElasticMQ, fauxqs) is reached at its own host for every call, GetQueueUrl too.
 */
export function createSqsClient(queueUrl: string, region?: string): SQSClient {
  const { host, hostname, origin } = new URL(queueUrl);
  const clientRegion = region ?? (/^sqs\.([a-z0-9-]+)\./.exec(host) ?? /^([a-z0-9-]+)\.queue\./.exec(host))?.[1];
  const endpoint = /\.amazonaws\.com(\.cn)?$/.test(hostname) ? undefined : origin;
  return new SQSClient({ ...(clientRegion ? { region: clientRegion } : {}), ...(endpoint ? { endpoint } : {}) });
}

/** The URL of the DLQ named by the queue's redrive policy (`deadLetterTargetArn`). */
export async function findDeadLetterQueueUrl(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
  const policy = Attributes?.RedrivePolicy ? (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string }) : {};
  // arn:aws:sqs:<region>:<account>:<name>
  const [, , , , account, name] = policy.deadLetterTargetArn?.split(':') ?? [];
  if (!name || !account) throw new Error(`Queue ${queueUrl} has no redrive policy: set DLQ_URL`);
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  return QueueUrl!;
}

/** The queue's MaximumMessageSize: what the local gateway may send it (SQS's default is 256 KiB unless raised). */
export async function readMaxMessageBytes(client: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MaximumMessageSize'] }));
  const bytes = Number(Attributes?.MaximumMessageSize);
  if (!Number.isInteger(bytes) || bytes <= 0) throw new Error(`Queue ${queueUrl} did not report its MaximumMessageSize`);
  return bytes;
}
