import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';

/** A FIFO queue and its DLQ, and the client that reaches them: fauxqs or real SQS alike. */
export interface QueueTarget {
  client: SQSClient;
  queueUrl: string;
  dlqUrl: string;
}

/**
 * The queue at `queueUrl` (credentials from the usual AWS environment) and its DLQ: `dlqUrl`
 * when given, else the queue's redrive target.
 */
export async function connectQueueUrl(queueUrl: string, options: { dlqUrl?: string; region?: string; endpoint?: string; longPolls?: number } = {}): Promise<QueueTarget> {
  const client = createSqsClient(queueUrl, options.region, options.endpoint, options.longPolls);
  try {
    return { client, queueUrl, dlqUrl: options.dlqUrl ?? (await findDeadLetterQueueUrl(client, queueUrl)) };
  } catch (error) {
    client.destroy();
    throw error;
  }
}

/** Connections to the queue's endpoint for everything but long polls: the SDK's default pool size. */
const sdkDefaultSockets = 50;

/**
 * The SDK waits forever by default: a request on a connection gone silent (a failed NAT gateway
 * or endpoint interface: no answer, no reset) never ended, nor did the consumer loop or webhook
 * send behind it. Every SQS call ends within a long poll's 20 s, so one taking 30 s fails as a
 * timeout, which the SDK retries on a new connection; connecting gets 5 s.
 * https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-smithy-node-http-handler
 */
const requestTimeoutMs = 30_000;
const connectionTimeoutMs = 5_000;

/**
 * An SQS client for a queue URL. The region is `region` (AWS_REGION), else the one in the URL
 * (`sqs.<region>.amazonaws.com`, or the legacy `<region>.queue.amazonaws.com`); a queue outside
 * AWS (LocalStack, ElasticMQ, fauxqs) is reached at `endpoint` (AWS_ENDPOINT_URL_SQS) or its
 * own host for every call, GetQueueUrl too.
 * `longPolls` is how many receives may wait on the queue at once (the consumer's concurrency):
 * each holds a connection for up to 20 s, so the pool gets that many more than the SDK's 50, or
 * a webhook's SendMessage and a batch's visibility extension would queue behind the polls.
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html
 */
export function createSqsClient(queueUrl: string, region?: string, endpointUrl?: string, longPolls = 0): SQSClient {
  const { host, hostname, origin } = new URL(queueUrl);
  const clientRegion = region ?? (/^sqs\.([a-z0-9-]+)\./.exec(host) ?? /^([a-z0-9-]+)\.queue\./.exec(host))?.[1];
  const endpoint = endpointUrl ?? (/\.amazonaws\.com(\.cn)?$/.test(hostname) ? undefined : origin);
  const maxSockets = sdkDefaultSockets + longPolls;
  return new SQSClient({
    ...(clientRegion ? { region: clientRegion } : {}),
    ...(endpoint ? { endpoint } : {}),
    requestHandler: {
      httpAgent: { maxSockets },
      httpsAgent: { maxSockets },
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
      connectionTimeout: connectionTimeoutMs,
    },
  });
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

/** The queue's MaximumMessageSize: what the gateway may send it (SQS's default is 256 KiB unless raised). */
export async function readMaxMessageBytes(client: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MaximumMessageSize'] }));
  const bytes = Number(Attributes?.MaximumMessageSize);
  if (!Number.isInteger(bytes) || bytes <= 0) throw new Error(`Queue ${queueUrl} did not report its MaximumMessageSize`);
  return bytes;
}

/** A queue's depth in each state: one GetQueueAttributes call. */
interface QueueDepth {
  url: string;
  /** Ready to be received (ApproximateNumberOfMessages). */
  visible: number;
  /** Received and not yet deleted (ApproximateNumberOfMessagesNotVisible). */
  inFlight: number;
  delayed: number;
}

/** A queue's depth, in flight and delayed counts: one GetQueueAttributes call. */
export async function depthOf(client: SQSClient, url: string): Promise<QueueDepth> {
  const { Attributes = {} } = await client.send(new GetQueueAttributesCommand({
    QueueUrl: url,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }));
  return {
    url,
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** Messages the queue still holds, whatever their state (visible, in flight or delayed). */
export async function countMessages(client: SQSClient, url: string): Promise<number> {
  const { visible, inFlight, delayed } = await depthOf(client, url);
  return visible + inFlight + delayed;
}
