import { createServer, type RequestListener } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../../shared/logger.ts';
import { createWorkerMetrics, type WorkerMetrics } from '../worker/metrics.ts';
import { createWorkerHandler, type WorkerOptions } from '../worker/worker.ts';
import { startConsumer, type Consumer, type ConsumerOptions, type DrainOptions, type DrainReport } from './consumer.ts';
import { defaultMaxBodyBytesInFlight, limitBodiesInFlight } from './body-budget.ts';
import { createGateway, type GatewayOptions } from './gateway.ts';
import { readMaxMessageBytes, type QueueTarget } from './queue-target.ts';
import { onResponseDone } from './response-done.ts';

interface ServiceOptions {
  app: Koa;
  logger: Logger;
  host: string;
  port: number;
  bodyLimit: number;
  /** Bytes of request bodies held at once; past it a request with a body answers 503 `server_busy` (default 32 MiB). */
  maxBodyBytesInFlight?: number;
  /** With a queue, webhook POSTs go through it to the worker; without one, straight to the app. */
  queue?: QueueTarget;
  consumer?: Pick<ConsumerOptions, 'concurrency' | 'waitTimeSeconds' | 'functionTimeoutMs'>;
  worker?: Pick<WorkerOptions, 'replayTimeoutMs' | 'deadlineMarginMs' | 'onRecord'>;
  gateway?: Pick<GatewayOptions, 'onDelivery' | 'trustProxy' | 'stage'>;
  /** The worker's metrics; by default its EMF lines become debug log lines (no CloudWatch to read them). */
  metrics?: WorkerMetrics;
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

export interface Service {
  url: string;
  /** The queue consumer, when there is a queue. */
  consumer?: Consumer;
  /**
   * Stops taking requests (new ones answer 503 `shutting_down`) and receiving messages, and lets
   * the requests and batches in flight finish, until `deadline` (epoch ms) when given: then
   * connections are cut, and what the batches did not handle goes back to the queue
   * (`Consumer.stop`). With `drain`, the consumer first empties the queue (`Consumer.drain`: for
   * npm start's in-process queue). The queue itself stays up.
   */
  stop(options?: { drain?: DrainOptions; deadline?: number }): Promise<DrainReport | undefined>;
}

// Requests in flight get this long to finish after a stop without a deadline.
const defaultGraceMs = 5000;

/**
 * How long an idle keep-alive connection stays open: longer than the load balancer's idle
 * timeout (60 s in infra/container.yaml), so that the balancer closes it, never the server
 * while the balancer sends a request on it (the client would get a 502). Node's default is 5 s.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout
 */
export const keepAliveTimeoutMs = 65_000;

/**
 * The service on one host: the app as the http function serves it and, given a queue, the
 * REST API's webhook path (gateway → FIFO queue → consumer acting as Lambda's event source
 * mapping → worker → the same app). `npm start` runs it on fauxqs, `node server.mjs` on SQS.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { app, logger, queue } = options;
  const callback = app.callback();
  let listener: RequestListener = (req, res) => void callback(req, res);
  let consumer: Consumer | undefined;
  if (queue) {
    const workerLogger = logger.child({ function: 'worker' });
    const metrics = options.metrics ?? createWorkerMetrics({ write: (line) => workerLogger.debug('metrics', { emf: JSON.parse(line) as unknown }) });
    const handler = createWorkerHandler({ app, logger: workerLogger, metrics, sqs: queue.client, dlqUrl: queue.dlqUrl, ...options.worker });
    consumer = await startConsumer({ sqs: queue.client, queueUrl: queue.queueUrl, handler, logger: logger.child({ function: 'consumer' }), ...options.consumer });
    const maxMessageBytes = await readMaxMessageBytes(queue.client, queue.queueUrl);
    listener = createGateway({ app: listener, sqs: queue.client, queueUrl: queue.queueUrl, logger: logger.child({ function: 'gateway' }), bodyLimit: options.bodyLimit, maxMessageBytes, ...options.gateway });
  }
  listener = limitBodiesInFlight(listener, { maxBytes: options.maxBodyBytesInFlight ?? defaultMaxBodyBytesInFlight, bodyLimit: options.bodyLimit, logger });
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
    onResponseDone(req, res, () => (inProgress -= 1));
    listener(req, res);
  };
  // headersTimeout above it, so that a request on a connection idle nearly that long is never
  // cut off while its headers arrive.
  const server = createServer({ keepAliveTimeout: keepAliveTimeoutMs, headersTimeout: keepAliveTimeoutMs + 1000 }, serve);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, resolve);
    });
  } catch (error) {
    await consumer?.stop();
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  // Requests in progress (a webhook being queued) get until the deadline, or a grace period, to finish.
  const finishRequests = async (deadline: number | undefined) => {
    const until = Math.min(deadline ?? Infinity, Date.now() + defaultGraceMs);
    while (inProgress > 0 && Date.now() < until) await sleep(20);
  };
  const closeServer = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };

  return {
    url: `http://${options.host}:${port}`,
    ...(consumer ? { consumer } : {}),
    stop: async ({ drain, deadline } = {}) => {
      stopping = true;
      options.mount?.close?.();
      if (drain) {
        await finishRequests(deadline);
        const drained = consumer ? await consumer.drain(drain) : undefined;
        await closeServer();
        if (!drain.signal?.aborted) await consumer?.stop(deadline === undefined ? {} : { deadline });
        return drained;
      }
      // Receiving stops at once, while the requests in progress finish.
      await Promise.all([finishRequests(deadline).then(closeServer), consumer?.stop(deadline === undefined ? {} : { deadline })]);
      return undefined;
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
