import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, type Logger } from '../../shared/logger.ts';
import { createInvocationContext } from './invocation-context.ts';
import { countMessages } from './queue-target.ts';
import { toSqsEvent } from './sqs-event.ts';
import { changeVisibility, holdVisibility } from './visibility-lease.ts';

// How long a stop lets receives in progress finish before cutting them.
const receiveGraceMs = 500;

/** The worker's Lambda signature. */
export type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface ConsumerOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: QueueHandler;
  logger: Logger;
  /** Batches in flight at once. A FIFO queue never hands out a group that is in flight, so order holds. */
  concurrency?: number;
  /** Long-poll wait per receive, 0–20 s. */
  waitTimeSeconds?: number;
  /**
   * The deadline the worker sees for a batch (default: the queue's visibility timeout, as Lambda
   * requires of a function); an answer after it counts as a timed-out invocation.
   */
  functionTimeoutMs?: number;
  functionName?: string;
}

export interface Consumer {
  /**
   * Keeps handling until the queue is empty (nothing visible, in flight or delayed, no batch in
   * hand), `timeoutMs` passes or `signal` aborts, with a `draining` line each second; resolves
   * with what is left. Receiving goes on until `stop()`. For a queue that lives in this process
   * (npm start's); SQS keeps what a stopped consumer leaves.
   */
  drain(options: DrainOptions): Promise<DrainReport>;
  /**
   * Stops receiving. Batches in flight go on until `deadline` (epoch ms; default: until they
   * end); the worker then starts no more replays, and what a stopping batch did not handle is
   * made visible again at once for another consumer.
   */
  stop(options?: { deadline?: number }): Promise<void>;
  /** Batches being handled now. */
  readonly inFlight: number;
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
 * Does what Lambda's SQS event source mapping does, as a long-running consumer: receives up to 10
 * messages with all attributes, invokes the handler with the Lambda-shaped event, and deletes only
 * the records not reported in `batchItemFailures`; the rest come back after the visibility
 * timeout, and the queue's redrive policy moves them to the DLQ after `maxReceiveCount` receives.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * While a batch runs its messages' visibility is extended (holdVisibility), so a long replay is
 * never handed to a second consumer; if that hold is lost, the batch starts no more replays,
 * since another consumer may already have the rest (and, on a FIFO queue, their groups).
 */
export async function startConsumer(options: ConsumerOptions): Promise<Consumer> {
  const { sqs, queueUrl, logger } = options;
  const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'VisibilityTimeout'] }));
  const queueArn = queue.Attributes?.QueueArn;
  if (!queueArn) throw new Error(`Queue ${queueUrl} did not report its QueueArn`);
  const visibilitySeconds = Number(queue.Attributes?.VisibilityTimeout ?? 30);
  // Lambda refuses a function timeout above the queue's visibility timeout; default to that limit.
  const functionTimeoutMs = options.functionTimeoutMs ?? visibilitySeconds * 1000;
  // ReceiveRequestAttemptId is for FIFO queues only.
  const fifo = queueArn.endsWith('.fifo');
  // `stopping` ends the loops; `abandon` cuts the long polls still waiting some time later.
  let stopping = false;
  const abandon = new AbortController();
  let drainDeadline = Infinity;
  let inFlight = 0;
  let deleted = 0;

  const receive = async (attemptId: string): Promise<Message[]> => {
    const answer = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: options.waitTimeSeconds ?? 20,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...(fifo ? { ReceiveRequestAttemptId: attemptId } : {}),
      }),
      { abortSignal: abandon.signal },
    );
    return answer.Messages ?? [];
  };

  const handle = async (messages: Message[], receivedAt: number): Promise<void> => {
    inFlight += 1;
    const lease = holdVisibility({ sqs, queueUrl, messages, visibilitySeconds, receivedAt, logger });
    try {
      const event = toSqsEvent(messages, queueArn);
      // A stop, or a lost hold, brings the deadline of the batch forward: the worker reads it
      // before each record and starts none after it.
      const stopAt = () => Math.min(drainDeadline, lease.lostAt());
      const failed = await invoke(event, createInvocationContext(options.functionName ?? 'worker', functionTimeoutMs, stopAt), { ...options, functionTimeoutMs });
      // No extension may land after the delete or the release below.
      await lease.end();
      const done = messages.filter((message) => !failed.has(message.MessageId ?? ''));
      if (done.length > 0) deleted += await acknowledge(sqs, queueUrl, done, logger);
      // Stopping: what this batch did not handle goes to another consumer now, not after the timeout.
      const kept = messages.filter((message) => failed.has(message.MessageId ?? ''));
      if (stopping && kept.length > 0) await changeVisibility(sqs, queueUrl, kept, 0, logger);
      logger.debug('batch handled', { received: messages.length, deleted: done.length, failed: failed.size, released: stopping ? kept.length : 0 });
    } finally {
      await lease.end();
      inFlight -= 1;
    }
  };

  const loop = async (): Promise<void> => {
    // A receive SQS answered but whose answer was lost (a connection reset) leaves its messages,
    // and on a FIFO queue their groups, held for a visibility timeout. Asked again with the same
    // ReceiveRequestAttemptId (valid 5 minutes), SQS hands the same messages back: the id is kept
    // through the SDK's retries (one serialized request) and this loop's while no answer came
    // back; any answer, an error too (SQS refuses the id again after throttling), starts a new one.
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-receiverequestattemptid-request-parameter.html
    let attemptId = randomUUID();
    while (!stopping) {
      let messages: Message[];
      let receivedAt: number;
      try {
        messages = await receive(attemptId);
        receivedAt = Date.now();
        attemptId = randomUUID();
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined) attemptId = randomUUID();
        if (stopping) return;
        logger.warn('receive failed, retrying in 1 s', describeError(error));
        await sleep(1000);
        continue;
      }
      // Received as the stop came: handed back unhandled, at once.
      if (stopping) await changeVisibility(sqs, queueUrl, messages, 0, logger);
      else if (messages.length > 0) await handle(messages, receivedAt);
    }
  };

  const loops = Array.from({ length: options.concurrency ?? 1 }, loop);
  return {
    get inFlight() {
      return inFlight;
    },
    drain: async ({ timeoutMs, signal }) => {
      const deadline = Date.now() + timeoutMs;
      const deletedBefore = deleted;
      const report = (remaining: number, ended: DrainReport['ended']): DrainReport => ({ remaining, handled: deleted - deletedBefore, ended });
      let progressAt = 0;
      for (;;) {
        const remaining = await countMessages(sqs, queueUrl).catch(() => Number.NaN);
        if (remaining === 0 && inFlight === 0) return report(0, 'empty');
        if (signal?.aborted) return report(remaining, 'aborted');
        if (Date.now() >= deadline) return report(remaining, 'timeout');
        if (Date.now() - progressAt >= 1000) {
          progressAt = Date.now();
          logger.info('draining', { remaining, handled: deleted - deletedBefore, secondsLeft: Math.ceil((deadline - Date.now()) / 1000) });
        }
        await sleep(Math.min(200, deadline - Date.now()), undefined, { signal }).catch(() => undefined);
      }
    },
    stop: async ({ deadline } = {}) => {
      if (deadline !== undefined) drainDeadline = deadline;
      stopping = true;
      // A receive SQS is answering finishes in milliseconds, and its messages are handed back;
      // cutting it would leave them invisible for a visibility timeout. One still waiting for
      // messages after the grace is cut (a message arriving at that instant waits out the timeout).
      const cut = setTimeout(() => abandon.abort(), Math.max(0, Math.min(receiveGraceMs, drainDeadline - Date.now())));
      await Promise.all(loops);
      clearTimeout(cut);
    },
  };
}

/** The ids of the records to leave on the queue; every record when the invocation failed as a whole. */
async function invoke(event: SQSEvent, context: Context, options: ConsumerOptions & { functionTimeoutMs: number }): Promise<Set<string>> {
  const all = new Set(event.Records.map((record) => record.messageId));
  const started = Date.now();
  try {
    const response = await options.handler(event, context);
    // Lambda would have stopped the function at its timeout: nothing of this batch is deleted.
    if (Date.now() - started > options.functionTimeoutMs) {
      options.logger.error('invocation timed out', { timeoutMs: options.functionTimeoutMs, records: all.size });
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
