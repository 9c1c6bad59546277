import { createServer, type RequestListener } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../../shared/logger.ts';
import { createWorkerMetrics } from '../worker/metrics.ts';
import { createWorkerHandler, type WorkerOptions } from '../worker/worker.ts';
import { createGateway, type GatewayOptions } from './gateway.ts';
import { startPoller, type DrainOptions, type DrainReport, type Poller, type PollerOptions } from './poller.ts';
import { readMaxMessageBytes, type QueueTarget } from './queue-target.ts';

interface LocalServiceOptions {
  app: Koa;
  logger: Logger;
  host: string;
  port: number;
  bodyLimit: number;
  /** With a queue, webhook POSTs go through it to the worker; without one, straight to the app. */
  queue?: QueueTarget;
  poller?: Pick<PollerOptions, 'concurrency' | 'waitTimeSeconds' | 'functionTimeoutMs'>;
  worker?: Pick<WorkerOptions, 'replayTimeoutMs' | 'deadlineMarginMs' | 'onRecord'>;
  gateway?: Pick<GatewayOptions, 'onDelivery'>;
  /** Served ahead of the gateway and the app for paths under `prefix` (the local console). */
  mount?: Mount;
}

export interface Mount {
  /** E.g. `/_console`: the path itself and everything below it. */
  prefix: string;
  listener: RequestListener;
  /** Called when the service stops, before it waits for open requests (e.g. to end event streams). */
  close?(): void;
}

export interface LocalService {
  url: string;
  /**
   * Stops taking requests (new ones answer 503 `shutting_down`) and lets those in progress
   * finish; with `drain`, lets the poller empty the queue first (see `Poller.drain`); then
   * closes the server and stops the poller once its batches are handled. The queue stays up.
   */
  stop(options?: { drain?: DrainOptions }): Promise<DrainReport | undefined>;
}

/**
 * The production shape on one machine: the app served as the http function would serve it,
 * and, given a queue, the REST API's webhook path (local gateway → FIFO queue → poller acting
 * as Lambda's event source mapping → worker → the same app).
 */
export async function startLocalService(options: LocalServiceOptions): Promise<LocalService> {
  const { app, logger, queue } = options;
  const callback = app.callback();
  let listener: RequestListener = (req, res) => void callback(req, res);
  let poller: Poller | undefined;
  if (queue) {
    const workerLogger = logger.child({ function: 'worker' });
    // CloudWatch turns the worker's EMF lines into metrics; locally they are only debug detail.
    const metrics = createWorkerMetrics({ write: (line) => workerLogger.debug('metrics', { emf: JSON.parse(line) as unknown }) });
    const handler = createWorkerHandler({ app, logger: workerLogger, metrics, sqs: queue.client, dlqUrl: queue.dlqUrl, ...options.worker });
    poller = await startPoller({ sqs: queue.client, queueUrl: queue.queueUrl, handler, logger: logger.child({ function: 'poller' }), ...options.poller });
    const maxMessageBytes = await readMaxMessageBytes(queue.client, queue.queueUrl);
    listener = createGateway({ app: listener, sqs: queue.client, queueUrl: queue.queueUrl, logger: logger.child({ function: 'gateway' }), bodyLimit: options.bodyLimit, maxMessageBytes, ...options.gateway });
  }
  if (options.mount) listener = mountAt(options.mount, listener);

  // While stopping, the server still listens and answers: a provider told 503 retries later,
  // one whose connection is refused may give up sooner.
  let stopping = false;
  let inProgress = 0;
  const serve: RequestListener = (req, res) => {
    if (stopping) {
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '10' })
        .end(JSON.stringify({ error: { code: 'shutting_down', message: 'The server is shutting down; retry shortly' } }));
      return;
    }
    inProgress += 1;
    res.once('close', () => (inProgress -= 1));
    listener(req, res);
  };
  const server = createServer(serve);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, resolve);
    });
  } catch (error) {
    await poller?.stop();
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host}:${port}`,
    stop: async (stopOptions = {}) => {
      stopping = true;
      options.mount?.close?.();
      // Requests in progress (a webhook being queued) get a grace period to finish.
      for (const started = Date.now(); inProgress > 0 && Date.now() - started < 5000; ) await sleep(20);
      const drained = stopOptions.drain && poller ? await poller.drain(stopOptions.drain) : undefined;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      if (!stopOptions.drain?.signal?.aborted) await poller?.stop();
      return drained;
    },
  };
}

/** Sends requests under the mount's prefix to its listener, never to the gateway or the app. */
function mountAt(mount: Mount, rest: RequestListener): RequestListener {
  return (req, res) => {
    // String matching, not new URL(): a target such as `//` must not throw here.
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const inside = path === mount.prefix || path.startsWith(`${mount.prefix}/`);
    (inside ? mount.listener : rest)(req, res);
  };
}
