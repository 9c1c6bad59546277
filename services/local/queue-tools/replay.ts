import { parseArgs } from 'node:util';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { createLogger } from '../../../shared/logger.ts';
import { createWorkerMetrics } from '../../worker/metrics.ts';
import { createWorkerHandler, type WorkerHandler } from '../../worker/worker.ts';
import { createInvocationContext } from '../../server/invocation-context.ts';
import { createConfiguredApp } from '../../../shared/configured-app.ts';
import { toSqsEvent } from '../../server/sqs-event.ts';
import { readCount, type Command } from './command.ts';
import { countVisible, walkQueue } from './walk-queue.ts';

export const replayCommand: Command = {
  summary: 'run DLQ messages through the worker here and delete those that succeed',
  usage: `Usage: npm run queue -- replay [--max N] [--verbose]

Receives DLQ messages ten at a time, runs each batch through the worker and the app in this
process (the app as npm start builds it, from the same config), and deletes the messages the
app answered 2xx. The others stay in the DLQ: a replay parks nothing. Within a group, a
failure stops that group, as in the worker, so the order of what succeeds is kept.

Exit code 0 when every message replayed succeeded, 1 when some stayed in the DLQ.

Options:
  --max N      replay at most N messages (default: all)
  --verbose    log every replayed record, not only failures (on stderr)`,

  async run(argv, context) {
    const { values } = parseArgs({ args: argv, options: { max: { type: 'string' }, verbose: { type: 'boolean', default: false } } });
    const limit = readCount('max', values.max, Infinity);
    const { client, dlqUrl } = await context.connect();
    const logger = createLogger({
      level: values.verbose ? 'info' : 'warn',
      fields: { service: context.config.service.name, function: 'replay' },
      write: (line) => context.progress(line),
    });
    // No dlqUrl: what the worker would park is reported failed instead, so it stays where it is.
    const worker = createWorkerHandler({ app: await createConfiguredApp(context.config, logger), logger, metrics: createWorkerMetrics({ write: () => undefined }) });
    const { succeeded, kept } = await replayDlq({ client, dlqUrl, worker, max: limit, progress: (line) => context.progress(line) });

    context.out(`Replayed ${succeeded + kept}: ${succeeded} succeeded and were deleted, ${kept} left in the DLQ.`);
    return kept === 0 ? 0 : 1;
  },
};

interface DlqReplayOptions {
  client: SQSClient;
  dlqUrl: string;
  /** A worker without a DLQ: what it would park is reported failed, so it stays in the DLQ. */
  worker: WorkerHandler;
  max?: number;
  /** Replays only the messages it accepts; the others stay where they are. */
  select?: (message: Message) => boolean;
  progress(line: string): void;
}

/**
 * Runs DLQ messages through the worker, ten at a time, and deletes those it handled; the rest
 * stay. At most as many as the DLQ held at the start: what the live worker parks meanwhile is
 * left for another run. `npm run queue -- replay` and the local console both replay with it.
 */
export async function replayDlq(options: DlqReplayOptions): Promise<{ succeeded: number; kept: number }> {
  const { client, dlqUrl, worker } = options;
  const max = Math.min(options.max ?? Infinity, await countVisible(client, dlqUrl));
  const { Attributes = {} } = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));

  let succeeded = 0;
  let kept = 0;
  await walkQueue(client, dlqUrl, { holdSeconds: 300, max }, async (received) => {
    const messages = options.select ? received.filter(options.select) : received;
    const skipped = received.filter((message) => !messages.includes(message));
    if (messages.length === 0) return { kept: skipped };
    const response = await worker(toSqsEvent(messages, Attributes.QueueArn ?? ''), createInvocationContext('replay', 120_000));
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = messages.filter((message) => !failed.has(message.MessageId ?? ''));
    if (done.length > 0) {
      const entries = done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle }));
      const { Failed = [] } = await client.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: entries }));
      if (Failed.length > 0) options.progress(`replay: ${Failed.length} handled but not deleted; they will be replayed again`);
    }
    succeeded += done.length;
    kept += messages.length - done.length;
    options.progress(`replay: ${succeeded + kept} replayed, ${succeeded} succeeded and deleted, ${kept} left in the DLQ`);
    return { kept: [...skipped, ...messages.filter((message) => failed.has(message.MessageId ?? ''))] };
  });
  return { succeeded, kept };
}
