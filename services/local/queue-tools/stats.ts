import { parseArgs } from 'node:util';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { depthOf } from '../../server/queue-target.ts';
import type { Command } from './command.ts';
import { describeDlqMessage, formatAge } from './dlq-entry.ts';
import { walkQueue } from './walk-queue.ts';

export const statsCommand: Command = {
  summary: 'depth, in flight and DLQ depth, and the age of the oldest DLQ message',
  usage: `Usage: npm run queue -- stats [--json]

Shows the queue's depth and messages in flight, the DLQ's depth, and the age of the oldest
DLQ message (since API Gateway received it). Reading that age receives the first messages of
each DLQ group and makes them visible again at once; nothing is consumed.

The age of the queue's own oldest message is not in the SQS API (it is the CloudWatch metric
ApproximateAgeOfOldestMessage), and receiving to measure it would count toward maxReceiveCount.

Options:
  --json   print one JSON object`,

  async run(argv, context) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } } });
    const { client, queueUrl, dlqUrl } = await context.connect();
    const [queue, dlq] = await Promise.all([depthOf(client, queueUrl), depthOf(client, dlqUrl)]);
    const oldestDlqAgeSeconds = dlq.visible > 0 ? await oldestAgeSeconds(client, dlqUrl) : null;

    if (values.json) {
      context.out(JSON.stringify({ queue, dlq: { ...dlq, oldestAgeSeconds: oldestDlqAgeSeconds } }));
    } else {
      context.out(`queue  ${queue.url}\n  depth ${queue.visible}  in flight ${queue.inFlight}  delayed ${queue.delayed}`);
      const age = oldestDlqAgeSeconds === null ? '-' : formatAge(oldestDlqAgeSeconds);
      context.out(`dlq    ${dlq.url}\n  depth ${dlq.visible}  in flight ${dlq.inFlight}  oldest ${age}`);
    }
    return 0;
  },
};

/**
 * The age of the oldest message of a DLQ, in seconds since API Gateway received it; null when
 * it is empty. Receives the first messages of each group and makes them visible again at once.
 */
export async function oldestAgeSeconds(client: SQSClient, dlqUrl: string): Promise<number | null> {
  const ages: number[] = [];
  await walkQueue(client, dlqUrl, { holdSeconds: 30, max: 100 }, (messages) => {
    ages.push(...messages.map((message) => describeDlqMessage(message).ageSeconds));
    return Promise.resolve({ kept: messages });
  });
  return ages.length > 0 ? Math.max(...ages) : null;
}
