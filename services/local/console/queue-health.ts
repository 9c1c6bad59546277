import type { SQSClient } from '@aws-sdk/client-sqs';
import { depthOf } from '../../server/queue-target.ts';
import { oldestAgeSeconds } from '../queue-tools/stats.ts';

/** The queue at a glance, as `npm run queue -- stats` reads it. */
export interface QueueHealth {
  queue: { visible: number; inFlight: number; delayed: number };
  dlq: { visible: number; inFlight: number; oldestReceivedAt: number | null };
}

interface QueueHealthOptions {
  client: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  /** Runs DLQ walks one at a time with the console's DLQ actions, so neither hides messages from the other. */
  exclusive: <T>(task: () => Promise<T>) => Promise<T>;
  now?: () => number;
}

/**
 * Reads depth, in flight and DLQ depth (two GetQueueAttributes calls), and the receive time of
 * the oldest DLQ message. That last one needs receiving DLQ messages, which bumps their receive
 * counts, so it is read again only when the DLQ's depth changed; the page ages it by the clock.
 */
export function createQueueHealth(options: QueueHealthOptions): () => Promise<QueueHealth> {
  const { client, queueUrl, dlqUrl } = options;
  const now = options.now ?? Date.now;
  let oldest: { depth: number; receivedAt: number | null } = { depth: 0, receivedAt: null };

  return async () => {
    const [queue, dlq] = await Promise.all([depthOf(client, queueUrl), depthOf(client, dlqUrl)]);
    if (dlq.visible !== oldest.depth) {
      const age = dlq.visible === 0 ? null : await options.exclusive(() => oldestAgeSeconds(client, dlqUrl));
      oldest = { depth: dlq.visible, receivedAt: age === null ? null : now() - age * 1000 };
    }
    return {
      queue: { visible: queue.visible, inFlight: queue.inFlight, delayed: queue.delayed },
      dlq: { visible: dlq.visible, inFlight: dlq.inFlight, oldestReceivedAt: oldest.receivedAt },
    };
  };
}

/** Runs tasks one after another, in the order given. */
export function createExclusive(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
