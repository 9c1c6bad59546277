// `node server.mjs`: the container's entry point (infra/container.yaml overrides the image's entry
// point with it). The app on HOST:PORT and, with QUEUE_URL, webhook POSTs queued and the queue
// consumed in the same process, with the worker's guarantees (README "Container service").
import { describeConfig } from '../../shared/config.ts';
import { createConfiguredApp } from '../../shared/configured-app.ts';
import { createLogger, describeError } from '../../shared/logger.ts';
import { createWorkerMetrics } from '../worker/metrics.ts';
import { connectQueueUrl, type QueueTarget } from './queue-target.ts';
import { loadServerConfig, shutdownMarginMs } from './server-config.ts';
import { startService, type Service } from './service.ts';

// Lambda's longest timeout: a batch's records each get at most REPLAY_TIMEOUT_MS, and the
// consumer keeps the batch's messages invisible for as long as it runs.
const batchTimeoutMs = 15 * 60_000;

// Signal handlers before anything starts: node is PID 1 in the task (EntryPoint ["node"]), and
// PID 1 ignores a signal it has no handler for, so a SIGTERM during start-up was lost and ECS
// killed the task only after its stop timeout, batches received meanwhile included.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/load-balancer-connection-draining.html
let shutdown: ((signal: NodeJS.Signals) => void) | undefined;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    // Before the configuration is read nothing has started.
    if (!shutdown) process.exit(0);
    shutdown(signal);
  });
}

const config = await loadServerConfig(process.env).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
const logger = createLogger({ level: config.logLevel, fields: { service: config.service.name, function: 'server' } });
logger.info('configuration loaded', describeConfig(config));

let queue: QueueTarget | undefined;
let service: Service | undefined;

// ECS sends SIGTERM, then SIGKILL after the task's stop timeout: stop receiving, let the batches in
// flight finish by SHUTDOWN_TIMEOUT_MS, leave the rest to the queue, exit. A signal during
// start-up waits for the start-up to end, then stops what it started.
let started: Promise<void> = Promise.resolve();
shutdown = (signal) => {
  const stopping = Date.now();
  logger.info('shutting down', { signal, batchesInFlight: service?.consumer?.inFlight ?? 0, shutdownTimeoutMs: config.shutdownTimeoutMs });
  // A second signal, or the shutdown time running out, ends the process at once; what is not
  // deleted comes back from the queue after its visibility timeout.
  const forceExit = (reason: string) => {
    logger.error('stopped before the batches in flight finished', { reason, batchesInFlight: service?.consumer?.inFlight ?? 0 });
    process.exit(1);
  };
  shutdown = (again) => forceExit(`second ${again}`);
  setTimeout(() => forceExit('shutdown timeout'), config.shutdownTimeoutMs).unref();
  started
    .then(() => stop(stopping + config.shutdownTimeoutMs - shutdownMarginMs))
    .then(
      () => {
        logger.info('stopped', { afterMs: Date.now() - stopping });
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('unclean shutdown', describeError(error));
        process.exit(1);
      },
    );
};

started = start();
await started;

async function start(): Promise<void> {
  try {
    if (config.queueUrl) {
      const { dlqUrl, region, sqsEndpoint: endpoint } = config;
      queue = await connectQueueUrl(config.queueUrl, { longPolls: config.queueConcurrency, ...(dlqUrl ? { dlqUrl } : {}), ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) });
    }
    const app = await createConfiguredApp(config, logger);
    // Behind the load balancer the client is the last X-Forwarded-For address (Koa's ctx.ip).
    if (config.trustProxy) Object.assign(app, { proxy: true, maxIpsCount: 1 });
    service = await startService({
      app,
      logger,
      host: config.host,
      port: config.port,
      bodyLimit: config.bodyLimit,
      maxBodyBytesInFlight: config.maxBodyBytesInFlight,
      queue,
      consumer: { concurrency: config.queueConcurrency, functionTimeoutMs: batchTimeoutMs },
      worker: { replayTimeoutMs: config.replayTimeoutMs },
      gateway: { stage: 'container', trustProxy: config.trustProxy },
      // EMF lines on stdout: CloudWatch Logs turns them into metrics, as it does for the worker function.
      metrics: createWorkerMetrics({ service: config.service.name }),
    });
    logger.info('listening', {
      url: service.url,
      queue: queue
        ? { queueUrl: queue.queueUrl, dlqUrl: queue.dlqUrl, concurrency: config.queueConcurrency, webhooks: 'POST /webhook[/*] → queue → worker → app' }
        : 'none: QUEUE_URL is not set, so this server consumes no queue and its app answers webhook POSTs directly (HTTP only)',
    });
  } catch (error) {
    logger.error('could not start', describeError(error));
    await stop();
    process.exit(1);
  }
}

async function stop(deadline?: number): Promise<void> {
  await service?.stop(deadline === undefined ? {} : { deadline });
  queue?.client.destroy();
}
