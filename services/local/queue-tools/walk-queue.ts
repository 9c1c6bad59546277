import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

interface WalkOptions {
  /** Stop after this many messages. */
  max?: number;
  /** How long each received message stays hidden; must outlast the whole walk. */
  holdSeconds: number;
}

/** What the caller did with a batch: the messages it did not delete, and whether to go on. */
interface BatchResult {
  kept: Message[];
  stop?: boolean;
}

/**
 * Hands every message a queue gives out now to `onBatch`, ten at a time, with all attributes.
 * Kept messages stay hidden until the walk ends, so no batch sees one twice; then they are made
 * visible again at once rather than after `holdSeconds`.
 *
 * FIFO: while a message is hidden, SQS gives out no later message of its group
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html),
 * so a walk that keeps messages sees only the first ones of each group (up to 10 on SQS, 1 on fauxqs).
 */
export async function walkQueue(
  sqs: SQSClient,
  queueUrl: string,
  options: WalkOptions,
  onBatch: (messages: Message[]) => Promise<BatchResult>,
): Promise<{ seen: number }> {
  const held: Message[] = [];
  const seen = new Set<string>();
  const max = options.max ?? Infinity;
  try {
    while (seen.size < max) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, max - seen.size),
        VisibilityTimeout: options.holdSeconds,
        // Long polling asks every SQS server; a short poll may answer empty with messages left.
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }));
      // One that came back after its hold (a walk longer than holdSeconds) is not handled twice.
      const fresh = Messages.filter((message) => !seen.has(message.MessageId ?? ''));
      held.push(...Messages.filter((message) => !fresh.includes(message)));
      if (fresh.length === 0) break;
      for (const message of fresh) seen.add(message.MessageId ?? '');
      const result = await onBatch(fresh);
      held.push(...result.kept);
      if (result.stop) break;
    }
  } finally {
    await release(sqs, queueUrl, held);
  }
  return { seen: seen.size };
}

async function release(sqs: SQSClient, queueUrl: string, messages: Message[]): Promise<void> {
  for (let start = 0; start < messages.length; start += 10) {
    const entries = messages.slice(start, start + 10).map((message, index) => ({
      Id: String(index),
      ReceiptHandle: message.ReceiptHandle,
      VisibilityTimeout: 0,
    }));
    await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  }
}

/** Messages ready to be received (ApproximateNumberOfMessages). */
export async function countVisible(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}
