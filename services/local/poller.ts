import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeError, type Logger } from '../../shared/logger.ts';
import { createInvocationContext } from './invocation-context.ts';
import { toSqsEvent } from './sqs-event.ts';

/** The worker's Lambda signature. */
export type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: QueueHandler;
  logger: Logger;
  /** Batches in flight at once. A FIFO queue never hands out a group that is in flight, so order holds. */
  concurrency?: number;
  /** Long-poll wait per receive, 0–20 s. */
  waitTimeSeconds?: number;
  /**
   * The worker's timeout (default: the queue's visibility timeout): the deadline it sees; an
   * answer after it counts as a timed-out invocation.
   */
  functionTimeoutMs?: number;
  functionName?: string;
}

export interface Poller {
  /**
   * Keeps handling until the queue is empty (nothing visible, in flight or delayed, no batch in
   * hand), `timeoutMs` passes or `signal` aborts, with a `draining` line each second; resolves
   * with what is left. Receiving goes on until `stop()`.
   */
  drain(options: DrainOptions): Promise<DrainReport>;
  /** Stops receiving, then waits for the batches in flight to be handled and acknowledged. */
  stop(): Promise<void>;
}

export interface DrainOptions {
  timeoutMs: number;
  /** Aborted to give up at once (a second Ctrl-C). */
  signal?: AbortSignal;
}

export interface DrainReport {
  /** Messages still on the queue (visible, in flight or delayed) when the drain ended. */
  remaining: number;
  /** Records handled and deleted while draining. */
  handled: number;
  /** Why it ended. */
  ended: 'empty' | 'timeout' | 'aborted';
}

/**
 * Does locally what Lambda's SQS event source mapping does: receives up to 10 messages with all
 * attributes, invokes the handler with the Lambda-shaped event, and deletes only the records not
 * reported in `batchItemFailures`. Failures stay in flight until the visibility timeout, then come
 * back; the queue's redrive policy moves them to the DLQ after `maxReceiveCount` receives.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
export async function startPoller(options: PollerOptions): Promise<Poller> {
  const { sqs, queueUrl, logger } = options;
  const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'VisibilityTimeout'] }));
  const queueArn = queue.Attributes?.QueueArn;
  if (!queueArn) throw new Error(`Queue ${queueUrl} did not report its QueueArn`);
  // Lambda refuses a function timeout above the queue's visibility timeout; default to that limit.
  const functionTimeoutMs = options.functionTimeoutMs ?? Number(queue.Attributes?.VisibilityTimeout ?? 30) * 1000;
  const stopping = new AbortController();
  let batchesInHand = 0;
  let deleted = 0;

  const receive = async (): Promise<Message[]> => {
    const answer = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: options.waitTimeSeconds ?? 20,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: stopping.signal },
    );
    return answer.Messages ?? [];
  };

  const handle = async (messages: Message[]): Promise<void> => {
    batchesInHand += 1;
    try {
      const event = toSqsEvent(messages, queueArn);
      const failed = await invoke(event, { ...options, functionTimeoutMs });
      const done = messages.filter((message) => !failed.has(message.MessageId ?? ''));
      if (done.length > 0) deleted += await acknowledge(sqs, queueUrl, done, logger);
      logger.debug('batch handled', { received: messages.length, deleted: done.length, failed: failed.size });
    } finally {
      batchesInHand -= 1;
    }
  };

  const depth = async (): Promise<number> => {
    const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...names] }));
    return names.reduce((sum, name) => sum + (Number(Attributes[name]) || 0), 0);
  };

  const loop = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      let messages: Message[];
      try {
        messages = await receive();
      } catch (error) {
        if (stopping.signal.aborted) return;
        logger.warn('receive failed, retrying in 1 s', describeError(error));
        await sleep(1000, undefined, { signal: stopping.signal }).catch(() => undefined);
        continue;
      }
      if (messages.length > 0) await handle(messages);
    }
  };

  const loops = Array.from({ length: options.concurrency ?? 1 }, loop);
  return {
    drain: async ({ timeoutMs, signal }) => {
      const deadline = Date.now() + timeoutMs;
      const deletedBefore = deleted;
      const report = (remaining: number, ended: DrainReport['ended']): DrainReport => ({ remaining, handled: deleted - deletedBefore, ended });
      let progressAt = 0;
      for (;;) {
        const remaining = await depth().catch(() => Number.NaN);
        if (remaining === 0 && batchesInHand === 0) return report(0, 'empty');
        if (signal?.aborted) return report(remaining, 'aborted');
        if (Date.now() >= deadline) return report(remaining, 'timeout');
        if (Date.now() - progressAt >= 1000) {
          progressAt = Date.now();
          logger.info('draining', { remaining, handled: deleted - deletedBefore, secondsLeft: Math.ceil((deadline - Date.now()) / 1000) });
        }
        await sleep(Math.min(200, deadline - Date.now()), undefined, { signal }).catch(() => undefined);
      }
    },
    stop: async () => {
      stopping.abort();
      await Promise.all(loops);
    },
  };
}

/** The ids of the records to leave on the queue; every record when the invocation failed as a whole. */
async function invoke(event: SQSEvent, options: PollerOptions & { functionTimeoutMs: number }): Promise<Set<string>> {
  const all = new Set(event.Records.map((record) => record.messageId));
  const timeoutMs = options.functionTimeoutMs;
  const started = Date.now();
  try {
    const response = await options.handler(event, createInvocationContext(options.functionName ?? 'worker', timeoutMs));
    // Lambda would have stopped the function at its timeout: nothing of this batch is deleted.
    if (Date.now() - started > timeoutMs) {
      options.logger.error('invocation timed out', { timeoutMs, records: all.size });
      return all;
    }
    const failures = response?.batchItemFailures ?? [];
    // A failure naming no record of the batch makes Lambda treat the whole batch as failed.
    if (failures.some((failure) => !all.has(failure.itemIdentifier))) {
      options.logger.error('invalid batchItemFailures, the whole batch failed', { failures });
      return all;
    }
    return new Set(failures.map((failure) => failure.itemIdentifier));
  } catch (error) {
    options.logger.error('invocation failed', describeError(error));
    return all;
  }
}

/** Deletes the messages handled; resolves with how many were deleted. */
async function acknowledge(sqs: SQSClient, queueUrl: string, messages: Message[], logger: Logger): Promise<number> {
  const entries = messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle }));
  try {
    const answer = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    for (const failure of answer.Failed ?? []) {
      // The message comes back after its visibility timeout and is handled again.
      logger.warn('delete failed', { messageId: messages[Number(failure.Id)]?.MessageId, code: failure.Code });
    }
    return answer.Successful?.length ?? 0;
  } catch (error) {
    logger.error('delete failed', { ...describeError(error), messageIds: messages.map((m) => m.MessageId) });
    return 0;
  }
}
