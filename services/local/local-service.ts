import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../../shared/logger.ts';
import { createWorkerMetrics } from '../worker/metrics.ts';
import { createWorkerHandler, type WorkerOptions } from '../worker/worker.ts';
import { createGateway } from './gateway.ts';
import { startPoller, type Poller, type PollerOptions } from './poller.ts';
import type { QueueTarget } from './queue-target.ts';

interface LocalServiceOptions {
  app: Koa;
  logger: Logger;
  host: string;
  port: number;
  bodyLimit: number;
  /** With a queue, webhook POSTs go through it to the worker; without one, straight to the app. */
  queue?: QueueTarget;
  poller?: Pick<PollerOptions, 'concurrency' | 'waitTimeSeconds' | 'functionTimeoutMs'>;
  worker?: Pick<WorkerOptions, 'replayTimeoutMs' | 'deadlineMarginMs'>;
}

export interface LocalService {
  url: string;
  /** Stops taking requests, then stops the poller once its batches are handled. The queue stays up. */
  stop(): Promise<void>;
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
    listener = createGateway({ app: listener, sqs: queue.client, queueUrl: queue.queueUrl, logger: logger.child({ function: 'gateway' }), bodyLimit: options.bodyLimit });
  }

  const server = createServer(listener);
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
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Requests in progress get a grace period to finish; then their connections are cut.
      const force = setTimeout(() => server.closeAllConnections(), 5000).unref();
      server.closeIdleConnections();
      await closed;
      clearTimeout(force);
      await poller?.stop();
    },
  };
}
