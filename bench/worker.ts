// `npm run bench:worker`: messages per second for 10-record FIFO batches through the queue
// worker, next to the same requests injected straight into app.callback() with
// light-my-request, in one run. Logs and metrics are serialised but not written, so the figures
// are the worker's cost, not the terminal's.
import type { Context } from 'aws-lambda';
import inject from 'light-my-request';
import { pathToFileURL } from 'node:url';
import { createWorkerMetrics } from '../services/worker/metrics.ts';
import { createWorkerHandler } from '../services/worker/worker.ts';
import { createApp } from '../shared/app.ts';
import { createLogger } from '../shared/logger.ts';
import { createInvocationContext } from '../services/server/invocation-context.ts';
import { webhookBatch, webhookRequest } from './events.ts';
import type { Figure } from './report.ts';
import { round } from './stats.ts';
import { pairedRatio, timeSubjects, type TimingPlan } from './timing.ts';

const batchSize = 10;
const distinctBatches = 50;

interface WorkerBench {
  /** Messages per second through the worker, and injected directly. */
  workerPerSecond: number;
  directPerSecond: number;
  /** Worker time per message over direct time per message; the target is at most 1.3 (README "Performance"). */
  ratio: number;
  figures: Figure[];
}

/** Runs both subjects in interleaved rounds and returns the figures (ratio: median of paired rounds). */
export async function measureWorker(plan: TimingPlan = { warmup: 200, rounds: 31, perRound: 30 }): Promise<WorkerBench> {
  const logger = createLogger({ level: 'info', write: () => undefined });
  const app = createApp({ service: { name: 'webhook-intake', version: 'bench' }, logger });
  const handler = createWorkerHandler({ app, logger, metrics: createWorkerMetrics({ write: () => undefined }) });
  const callback = app.callback();
  const context: Context = createInvocationContext('bench-worker', 15 * 60_000);

  // Events and injections are built beforehand: the subjects pay only for their own work.
  const events = Array.from({ length: distinctBatches }, (_, b) => webhookBatch(batchSize, b * batchSize));
  const injections = Array.from({ length: distinctBatches }, (_, b) => Array.from({ length: batchSize }, (_, i) => {
    const request = webhookRequest(b * batchSize + i);
    return { method: 'POST' as const, url: request.path, headers: request.headers, payload: request.body, remoteAddress: request.sourceIp };
  }));
  await checkAnswers(await handler(events[0]!, context), await Promise.all(injections[0]!.map((options) => inject(callback, options))));

  const timings = await timeSubjects(
    {
      direct: async (i) => {
        for (const options of injections[i % distinctBatches]!) await inject(callback, options);
      },
      worker: (i) => handler(events[i % distinctBatches]!, context),
    },
    plan,
  );

  const workerUs = timings.worker.meanUs / batchSize;
  const directUs = timings.direct.meanUs / batchSize;
  const bench = { workerPerSecond: Math.round(1e6 / workerUs), directPerSecond: Math.round(1e6 / directUs), ratio: round(pairedRatio(timings.worker, timings.direct), 2) };
  const figures: Figure[] = [{
    id: 'warmWorker.batch10',
    part: 'warm worker',
    label: `10-record FIFO batch through the worker, per message (floor: direct injection)`,
    value: round(workerUs),
    unit: 'µs',
    floor: round(directUs),
    ratio: bench.ratio,
    target: 1.3,
    note: `${bench.workerPerSecond.toLocaleString('en-US')} msg/s vs ${bench.directPerSecond.toLocaleString('en-US')} msg/s direct`,
  }];
  return { ...bench, figures };
}

async function checkAnswers(batch: { batchItemFailures: unknown[] }, direct: { statusCode: number }[]): Promise<void> {
  const statuses = direct.map((response) => response.statusCode);
  if (batch.batchItemFailures.length > 0 || statuses.some((status) => status !== 200)) {
    throw new Error(`the bench requests are not all handled: worker ${JSON.stringify(batch)}, direct ${JSON.stringify(statuses)}`);
  }
  return Promise.resolve();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await measureWorker();
  console.log(`worker  ${result.workerPerSecond.toLocaleString('en-US').padStart(8)} messages/s  (10-record FIFO batches through createWorkerHandler)`);
  console.log(`direct  ${result.directPerSecond.toLocaleString('en-US').padStart(8)} messages/s  (the same requests injected into app.callback())`);
  console.log(`ratio   ${result.ratio.toFixed(2)}× time per message (target ≤ 1.30×): ${result.ratio <= 1.3 ? 'met' : 'NOT met'}`);
}
