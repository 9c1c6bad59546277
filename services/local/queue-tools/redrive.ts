import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DeleteMessageCommand, SendMessageCommand, type Message, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { toLambdaAttributes, toSendAttributes } from '../../../shared/queue-message/attributes.ts';
import { readCount, type Command } from './command.ts';
import { parkAttributeNames } from './dlq-entry.ts';
import { countVisible, walkQueue } from './walk-queue.ts';

export const redriveCommand: Command = {
  summary: 'move DLQ messages back to the queue, same group, fresh dedup id',
  usage: `Usage: npm run queue -- redrive [--max N]

Moves DLQ messages back to the source queue, one at a time and in order: same body, same
message attributes (without the worker's parkReason/parkDetail), same message group, and a
fresh deduplication id (the original one would be dropped as a duplicate within SQS's
5-minute window). Each message is deleted from the DLQ only once the queue has accepted it;
if a send fails, redrive stops there and the rest stays in the DLQ.

fauxqs has no StartMessageMoveTask (SQS's own redrive); this command works the same on both.

Moves at most as many messages as the DLQ held when it started, so that messages which fail
again and are parked meanwhile are not moved round in a loop.

Options:
  --max N   move at most N messages (default: all)`,

  async run(argv, context) {
    const { values } = parseArgs({ args: argv, options: { max: { type: 'string' } } });
    const limit = readCount('max', values.max, Infinity);
    const { client, queueUrl, dlqUrl } = await context.connect();
    const { moved, failure } = await redriveDlq({ client, queueUrl, dlqUrl, max: limit, progress: (line) => context.progress(line) });

    context.out(`Moved ${moved} message${moved === 1 ? '' : 's'} from ${dlqUrl} to ${queueUrl}.`);
    if (failure === undefined) return 0;
    context.out(`Stopped: the queue refused ${failure}. The rest is still in the DLQ.`);
    return 1;
  },
};

/** The message's attributes as SendMessage takes them, as the worker parked them, without its park reason. */
function withoutParkAttributes(message: Message): Record<string, MessageAttributeValue> | undefined {
  const kept = Object.entries(toSendAttributes(toLambdaAttributes(message.MessageAttributes))).filter(([name]) => !parkAttributeNames.includes(name));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

interface DlqRedriveOptions {
  client: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  max?: number;
  progress(line: string): void;
}

/**
 * Moves DLQ messages back to the queue in order (same body and group, fresh dedup id, without
 * the park attributes), deleting each from the DLQ once the queue took it; stops at the first
 * refused send. `npm run queue -- redrive` and the local console both redrive with it.
 */
export async function redriveDlq(options: DlqRedriveOptions): Promise<{ moved: number; failure?: string }> {
  const { client, queueUrl, dlqUrl } = options;
  // No more than the DLQ held at the start: a message that fails again and is parked anew
  // while this runs must not go round in a loop.
  const max = Math.min(options.max ?? Infinity, await countVisible(client, dlqUrl));

  let moved = 0;
  let failure: string | undefined;
  await walkQueue(client, dlqUrl, { holdSeconds: 300, max }, async (messages) => {
    for (const [index, message] of messages.entries()) {
      try {
        await client.send(new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: message.Body ?? '',
          MessageAttributes: withoutParkAttributes(message),
          MessageGroupId: message.Attributes?.MessageGroupId,
          MessageDeduplicationId: randomUUID(),
        }));
      } catch (error) {
        failure = `${message.MessageId}: ${error instanceof Error ? error.message : String(error)}`;
        return { kept: messages.slice(index), stop: true };
      }
      // Sent but not deleted (a crash right here) means one duplicate delivery, never a loss.
      await client.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }));
      moved += 1;
    }
    options.progress(`redrive: ${moved} moved`);
    return { kept: [] };
  });
  return failure === undefined ? { moved } : { moved, failure };
}
