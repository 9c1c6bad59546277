import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { AppError } from '../../../shared/errors.ts';
import { encodeRestEnvelope } from '../../../shared/queue-message/envelope.ts';
import { messageIds } from '../../../shared/queue-message/routes.ts';
import type { ProviderSecrets } from '../../../shared/signatures/secrets.ts';
import type { WorkerHandler } from '../../worker/worker.ts';
import type { QueueTarget } from '../../server/queue-target.ts';
import { describeDlqMessage } from '../queue-tools/dlq-entry.ts';
import { redriveDlq } from '../queue-tools/redrive.ts';
import { replayDlq } from '../queue-tools/replay.ts';
import type { DeliveryJournal } from './journal.ts';
import { buildSample, type SampleTarget } from './samples.ts';

interface ConsoleActionsOptions {
  journal: DeliveryJournal;
  queue: QueueTarget;
  /** The app behind a worker without a DLQ, told of each record: replays from the DLQ. */
  dlqWorker: WorkerHandler;
  /** Runs DLQ walks one at a time. */
  exclusive: <T>(task: () => Promise<T>) => Promise<T>;
  secrets: () => Promise<ProviderSecrets>;
  publicHost: () => Promise<string | undefined>;
  /** The local server, where samples are posted as a provider would. */
  serviceUrl: () => string;
}

interface ActionResult {
  /** One line a person reads. */
  message: string;
  [key: string]: unknown;
}

export interface ConsoleActions {
  replayDelivery(id: string): Promise<ActionResult>;
  replayDlq(): Promise<ActionResult>;
  redriveDlq(): Promise<ActionResult>;
  sendSample(target: SampleTarget, forged: boolean): Promise<ActionResult>;
}

/**
 * What the console's buttons do. DLQ replay and redrive are the queue tools' own code; a
 * sample is posted to the local server over HTTP, so it takes the path a provider's would.
 */
export function createConsoleActions(options: ConsoleActionsOptions): ConsoleActions {
  const { journal, queue, exclusive } = options;
  const progress = () => undefined;

  return {
    async replayDelivery(id) {
      const delivery = journal.get(id);
      if (!delivery) throw new AppError(404, 'delivery_not_found', `No delivery ${id} in the console's memory`);
      if (delivery.state === 'parked' || delivery.state === 'dead-lettered') {
        // From the DLQ, so that the parked copy is the one handled (and deleted once it succeeds).
        const select = (message: Parameters<typeof describeDlqMessage>[0]) => describeDlqMessage(message).requestId === id;
        const { succeeded, kept } = await exclusive(() => replayDlq({ client: queue.client, dlqUrl: queue.dlqUrl, worker: options.dlqWorker, select, progress }));
        if (succeeded + kept === 0) {
          throw new AppError(409, 'not_at_head_of_group', 'The DLQ does not hand this message out now: it is in flight, gone, or behind an earlier message of its group; replay or redrive the DLQ in order');
        }
        return { message: succeeded > 0 ? 'Replayed from the DLQ: the app accepted it and it was deleted' : 'Replayed from the DLQ: the app refused it again, so it stays there', succeeded, kept };
      }
      const { request } = delivery;
      if (!request) throw new AppError(409, 'request_unknown', 'The gateway never saw this request, so the console cannot send it again');
      // The same request id and receive time, so it is the same delivery to the app; a fresh
      // dedup id, or SQS would drop it as a duplicate of the first send for five minutes.
      const sent = await queue.client.send(new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: encodeRestEnvelope(request),
        MessageGroupId: messageIds(request, id).groupId,
        MessageDeduplicationId: randomUUID(),
      }));
      return { message: `Queued again as message ${sent.MessageId ?? '?'}`, messageId: sent.MessageId };
    },

    async replayDlq() {
      const { succeeded, kept } = await exclusive(() => replayDlq({ client: queue.client, dlqUrl: queue.dlqUrl, worker: options.dlqWorker, progress }));
      return { message: `Replayed ${succeeded + kept}: ${succeeded} succeeded and were deleted, ${kept} left in the DLQ`, succeeded, kept };
    },

    async redriveDlq() {
      const { moved, failure } = await exclusive(() => redriveDlq({ client: queue.client, queueUrl: queue.queueUrl, dlqUrl: queue.dlqUrl, progress }));
      const message = `Moved ${moved} message${moved === 1 ? '' : 's'} back to the queue${failure ? `; stopped: the queue refused ${failure}` : ''}`;
      return { message, moved };
    },

    async sendSample(target, forged) {
      const sample = buildSample(target, { secrets: await options.secrets(), publicHost: await options.publicHost(), forged });
      const response = await fetch(new URL(sample.path, options.serviceUrl()), { method: 'POST', headers: sample.headers, body: sample.body });
      const answer = (await response.json().catch(() => undefined)) as { requestId?: unknown } | undefined;
      const requestId = typeof answer?.requestId === 'string' ? answer.requestId : undefined;
      const message = response.status === 202
        ? `${target === 'webhook' ? 'Unsigned' : forged ? 'Forged' : 'Signed'} ${target} sample queued`
        : `The ${target} sample was answered ${response.status} directly${target === 'slack' ? ' (Slack is not queued: API Gateway sends it to the http function)' : ''}`;
      return { message, status: response.status, ...(requestId ? { requestId } : {}), answer };
    },
  };
}
