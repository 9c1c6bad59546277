import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type Koa from 'koa';
import type { Logger } from '../../../shared/logger.ts';
import type { ProviderSecrets } from '../../../shared/signatures/secrets.ts';
import { createWorkerMetrics } from '../../worker/metrics.ts';
import { createWorkerHandler, type WorkerOptions } from '../../worker/worker.ts';
import type { GatewayOptions } from '../../server/gateway.ts';
import type { Mount } from '../../server/service.ts';
import type { QueueTarget } from '../../server/queue-target.ts';
import { createConsoleActions } from './console-actions.ts';
import { consolePath, createConsoleApp } from './console-app.ts';
import { summarize } from './delivery-view.ts';
import { createEventStream } from './event-stream.ts';
import { createDeliveryJournal } from './journal.ts';
import { createExclusive, createQueueHealth, type QueueHealth } from './queue-health.ts';

interface LocalConsoleOptions {
  /** The app the local service serves: DLQ replays run through it, as `npm run queue -- replay` does. */
  app: Koa;
  queue: QueueTarget;
  logger: Logger;
  /** The provider secrets samples are signed with, and redacted wherever they appear. */
  secrets: () => Promise<ProviderSecrets>;
  publicHost: () => Promise<string | undefined>;
  /** How often open pages get the queue's health (default 1 s). */
  healthIntervalMs?: number;
}

interface LocalConsole {
  /** For `startService`: the page and its API under `/_console`, and the observers that feed it. */
  mount: Mount;
  gateway: Required<Pick<GatewayOptions, 'onDelivery'>>;
  worker: Required<Pick<WorkerOptions, 'onRecord'>>;
  /** Tells the console where the service listens, once it does: samples are posted there. */
  attach(serviceUrl: string): void;
}

/**
 * The local webhook console of `npm start` (README "Local console"): a journal of every
 * delivery fed by the gateway's and the worker's observers, pushed live to the page, with the
 * queue's health and actions (replay, DLQ replay and redrive, signed samples).
 */
export async function createLocalConsole(options: LocalConsoleOptions): Promise<LocalConsole> {
  const { queue, logger } = options;
  const { Attributes = {} } = await queue.client.send(new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['RedrivePolicy'] }));
  const redrive = Attributes.RedrivePolicy ? (JSON.parse(Attributes.RedrivePolicy) as { maxReceiveCount?: unknown }) : {};
  const journal = createDeliveryJournal({ maxReceiveCount: Number(redrive.maxReceiveCount) || undefined });
  const events = createEventStream();
  const exclusive = createExclusive();
  const readHealth = createQueueHealth({ client: queue.client, queueUrl: queue.queueUrl, dlqUrl: queue.dlqUrl, exclusive });
  let serviceUrl: string | undefined;

  // Replays from the DLQ run here, without a DLQ of their own: what fails stays where it is.
  const dlqWorker = createWorkerHandler({
    app: options.app,
    logger: logger.child({ function: 'console-replay' }),
    metrics: createWorkerMetrics({ write: () => undefined }),
    onRecord: (report, answer) => journal.recordAttempt(report, answer, 'dlq'),
  });
  const actions = createConsoleActions({
    journal, queue, dlqWorker, exclusive, secrets: options.secrets, publicHost: options.publicHost,
    serviceUrl: () => serviceUrl ?? '',
  });
  journal.subscribe((delivery) => events.broadcast('delivery', summarize(delivery)));

  let last = '';
  let reading = false;
  // Only while a page is open, one read at a time, and only what changed.
  const pushHealth = async () => {
    if (events.clients === 0 || reading) return;
    reading = true;
    const health: QueueHealth | { error: string } = await readHealth().catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
    reading = false;
    const text = JSON.stringify(health);
    if (text !== last) events.broadcast('health', health);
    last = text;
  };
  const timer = setInterval(() => void pushHealth(), options.healthIntervalMs ?? 1000).unref();

  const app = createConsoleApp({ journal, actions, events, health: readHealth, secrets: options.secrets, logger: logger.child({ function: 'console' }) });
  const callback = app.callback();
  return {
    mount: {
      prefix: consolePath,
      listener: (req, res) => void callback(req, res),
      close: () => {
        clearInterval(timer);
        events.close();
      },
    },
    gateway: { onDelivery: (delivery) => journal.recordDelivery(delivery) },
    worker: { onRecord: (report, answer) => journal.recordAttempt(report, answer, 'queue') },
    attach: (url) => {
      serviceUrl = url;
    },
  };
}
