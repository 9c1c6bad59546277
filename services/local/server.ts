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
import { startLocalService, type LocalService } from './local-service.ts';
import { quietAwsSdkNodeWarning } from './node-version.ts';
import { formatPretty } from './pretty-log.ts';
import { connectQueue, type QueueTarget } from './queue-target.ts';

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
let service: LocalService | undefined;
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
  service = await startLocalService({
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

async function stop(): Promise<void> {
  await service?.stop();
  await localQueue?.stop();
  queue?.client.destroy();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info('shutting down', { signal });
    // A second signal while draining ends the process at once.
    process.once(signal, () => process.exit(1));
    stop().then(
      () => process.exit(0),
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
