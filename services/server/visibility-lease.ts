import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError, type Logger } from '../../shared/logger.ts';

/** A batch's hold on its messages: while it holds, SQS hands them (and, on a FIFO queue, their groups) to no other consumer. */
interface VisibilityLease {
  /**
   * When the hold was lost (epoch ms), or Infinity while it holds. Lost when SQS refused to
   * extend a message's visibility (its receipt handle is no longer valid) or when no extension
   * succeeded before the visibility ran out: another consumer may then have the messages, so
   * the batch must start nothing more.
   */
  lostAt(): number;
  /** Stops extending and waits for an extension in flight, so that none lands after a delete or a release. */
  end(): Promise<void>;
}

interface LeaseOptions {
  sqs: SQSClient;
  queueUrl: string;
  messages: Message[];
  /** The queue's visibility timeout. */
  visibilitySeconds: number;
  /** When the receive answered: SQS started the visibility timeout then. */
  receivedAt: number;
  logger: Logger;
}

/**
 * Keeps a batch's messages invisible while it runs: every third of the visibility timeout their
 * visibility is set to the full timeout again, one call at a time (a slow call is never
 * overtaken by the next). An extension counts from when it was sent, so the hold's end is
 * never later than SQS's.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 */
export function holdVisibility(options: LeaseOptions): VisibilityLease {
  const { logger, messages } = options;
  const visibilityMs = options.visibilitySeconds * 1000;
  let expiresAt = options.receivedAt + visibilityMs;
  let lost: number | undefined;
  let extending: Promise<void> | undefined;

  const lose = (at: number, why: string, fields: Record<string, unknown> = {}) => {
    if (lost !== undefined) return;
    lost = at;
    logger.warn('visibility lost, the batch starts no more replays', { why, ...fields, messageIds: messages.map((m) => m.MessageId) });
  };

  const extend = async () => {
    const sentAt = Date.now();
    const refused = await changeVisibility(options.sqs, options.queueUrl, messages, options.visibilitySeconds, logger);
    if (refused === undefined) return;
    if (refused.length > 0) lose(Date.now(), 'SQS refused to extend the visibility', { refused });
    else expiresAt = sentAt + visibilityMs;
  };

  const heartbeat = setInterval(() => {
    extending ??= extend().finally(() => (extending = undefined));
  }, Math.max(100, visibilityMs / 3));

  return {
    lostAt: () => {
      if (lost === undefined && Date.now() >= expiresAt) lose(expiresAt, 'no extension succeeded before the visibility timeout ran out');
      return lost ?? Infinity;
    },
    end: async () => {
      clearInterval(heartbeat);
      await extending;
    },
  };
}

/**
 * Sets the messages' visibility timeout from now: the batch's length to keep them while it runs,
 * 0 to hand them back at once. Resolves with the codes of the entries SQS refused, or undefined
 * when the call itself failed; failures are logged, and a message then keeps the visibility it had.
 */
export async function changeVisibility(sqs: SQSClient, queueUrl: string, messages: Message[], seconds: number, logger: Logger): Promise<string[] | undefined> {
  const entries = messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: seconds }));
  try {
    const answer = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    const failed = answer.Failed ?? [];
    for (const failure of failed) {
      logger.warn('visibility change failed', { messageId: messages[Number(failure.Id)]?.MessageId, code: failure.Code, seconds });
    }
    return failed.map((failure) => failure.Code ?? 'unknown');
  } catch (error) {
    logger.warn('visibility change failed', { ...describeError(error), seconds, messageIds: messages.map((m) => m.MessageId) });
    return undefined;
  }
}
