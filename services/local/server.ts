// `npm start`: the production shape on one machine (README "Local run"). Webhook POSTs go
// through a local gateway, a FIFO queue (fauxqs in process, or QUEUE_URL) and the worker;
// `--direct` (or LOCAL_MODE=direct) serves them straight from the app instead.
import { parseArgs } from 'node:util';
import { describeConfig } from '../../shared/config.ts';
import { createLogger, describeError } from '../../shared/logger.ts';
import { createConfiguredApp } from '../../shared/configured-app.ts';
import { createLocalConsole } from './console/console.ts';
import { loadLocalConfig } from './local-config.ts';
import { startLocalQueue, type LocalQueue } from './local-queue.ts';
import { startService, type Service } from '../server/service.ts';
import type { DrainOptions, DrainReport } from '../server/consumer.ts';
import { quietAwsSdkNodeWarning } from './node-version.ts';
import { formatPretty } from './pretty-log.ts';
import type { QueueTarget } from '../server/queue-target.ts';
import { connectQueue } from './queue-target.ts';

const flags = readFlags();
const nodeNote = quietAwsSdkNodeWarning();
const config = await loadLocalConfig(process.env).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
// JSON lines for machines (a pipe, a file); one readable line each for a person at a terminal.
const pretty = (config.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
const colour = pretty && process.stdout.isTTY && process.stdout.hasColors();
const logger = createLogger({
  level: config.logLevel,
  fields: { service: config.service.name, function: 'local' },
  ...(pretty ? { write: (line: string) => process.stdout.write(formatPretty(line, colour) + '\n') } : {}),
});
if (nodeNote) logger.info(nodeNote);
logger.info('configuration loaded', describeConfig(config));
const mode = flags.direct ? 'direct' : config.localMode;

let localQueue: LocalQueue | undefined;
let queue: QueueTarget | undefined;
let service: Service | undefined;
try {
  if (mode === 'queued') {
    queue = config.queueUrl ? await connectQueue(config) : (localQueue = await startLocalQueue({ port: config.localQueuePort }));
    logger.info('queue ready', {
      queue: localQueue ? `fauxqs in process at ${localQueue.endpoint}` : 'SQS',
      queueUrl: queue.queueUrl,
      dlqUrl: queue.dlqUrl,
    });
  }
  const app = await createConfiguredApp(config, logger);
  // The webhook console follows the queued path; it exists in `npm start` only (README "Local console").
  const webhookConsole = queue && await createLocalConsole({
    app, queue, logger,
    secrets: () => Promise.resolve(config.webhookSecrets.values),
    publicHost: async () => (await config.deployment.get()).publicHost,
  });
  service = await startService({
    app, logger, host: config.host, port: config.port, bodyLimit: config.bodyLimit, queue,
    ...(webhookConsole ? { mount: webhookConsole.mount, gateway: webhookConsole.gateway, worker: webhookConsole.worker } : {}),
  });
  webhookConsole?.attach(service.url);
  logger.info('listening', {
    mode,
    url: service.url,
    webhooks: mode === 'queued' ? `POST ${service.url}/webhook[/*] → queue → worker → app` : `POST ${service.url}/webhook[/*] → app`,
    ...(webhookConsole ? { console: `${service.url}${webhookConsole.mount.prefix}/` } : {}),
  });
} catch (error) {
  logger.error('could not start', describeError(error));
  await stop();
  process.exit(1);
}

async function stop(drain?: DrainOptions): Promise<{ drained?: DrainReport; parked?: number }> {
  const drained = await service?.stop(drain ? { drain } : {});
  // Read before the queue stops: the DLQ's messages go with the process too.
  const parked = drained ? (await localQueue?.depths().catch(() => undefined))?.parked : undefined;
  await localQueue?.stop();
  queue?.client.destroy();
  return { ...(drained ? { drained } : {}), ...(parked === undefined ? {} : { parked }) };
}

// The in-process queue lives in this process's memory: what is on it when the process ends is
// gone, so the first signal drains it (new requests answer 503 meanwhile) and a second one ends
// the process at once, saying how many it drops. A real queue (QUEUE_URL) keeps its messages.
const forced = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info('shutting down', { signal, ...(localQueue ? { drain: `until the queue is empty, at most ${config.drainTimeoutSeconds} s; ${signal} again to stop at once` } : {}) });
    process.once(signal, () => forced.abort());
    const drain = localQueue ? { timeoutMs: config.drainTimeoutSeconds * 1000, signal: forced.signal } : undefined;
    const aborted = new Promise<'aborted'>((resolve) => forced.signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
    Promise.race([stop(drain), aborted]).then(
      async (result) => {
        if (result === 'aborted' || result.drained?.ended === 'aborted') {
          const depths = await localQueue?.depths().catch(() => undefined);
          logger.warn('forced shutdown: accepted webhooks dropped', { dropped: depths?.queued ?? null, droppedFromDlq: depths?.parked ?? null });
          process.exit(1);
        }
        const { drained, parked = 0 } = result;
        const dlq = parked > 0 ? { droppedFromDlq: parked } : {};
        if (drained && drained.ended !== 'empty') {
          logger.warn('stopped with webhooks left on the queue: dropped', { dropped: drained.remaining, handled: drained.handled, ...dlq });
          process.exit(1);
        }
        logger.info('stopped', { ...(drained ? { handled: drained.handled } : {}), ...dlq });
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('unclean shutdown', describeError(error));
        process.exit(1);
      },
    );
  });
}

function readFlags(): { direct: boolean } {
  try {
    return parseArgs({ options: { direct: { type: 'boolean', default: false } } }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nUsage: npm start [-- --direct]\n`);
    process.exit(2);
  }
}
