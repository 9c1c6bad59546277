// Checks the FIFO model (bench/fifo-model.ts) against the real local path: a small mix of
// Stripe events posted to the local gateway of `npm start` (services/local: gateway → fauxqs
// FIFO queue → consumer with several batches in flight, as Lambda's event source → worker → app),
// in this process, with an app that takes a fixed service time per webhook and answers 503 to a
// poison object. Posted to /webhook/stripe, the route table groups them per object; posted to
// /webhook/calibration (a path of its own, one group), they share one group as a route did.
// The same arrivals (the times the gateway answered 202) then go through the model in
// `one-per-group` mode, since fauxqs hands out at most one message per group per receive, and
// the figures are compared.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import Koa from 'koa';
import { readJsonBody } from '../factories/json-body.ts';
import { makeStripeEvent } from '../factories/provider-payloads.ts';
import { createGateway } from '../services/server/gateway.ts';
import { startLocalQueue, type LocalQueue } from '../services/local/local-queue.ts';
import { startLoopbackService } from '../factories/local-service.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { perEntity } from './fifo-groupings.ts';
import { simulateFifo, type FifoModelOptions } from './fifo-model.ts';
import { stripeBurst, type Mix } from './fifo-mixes.ts';
import type { Figure } from './report.ts';
import { percentile, round } from './stats.ts';

const serviceMs = 20;
const concurrency = 4;
const visibilityTimeoutSeconds = 1;
const maxReceiveCount = 2;
const senders = 8;
/** A path of its own: every webhook posted to it shares one message group, as a route's did. */
const oneGroupPath = '/webhook/calibration';
/** Largest relative difference between modelled and measured figures that counts as agreement. */
const tolerance = 0.25;

interface Measured {
  /** The mix's indices in the order the gateway queued them (concurrent senders interleave entities). */
  queueOrder: number[];
  /** Per webhook of the mix: when the app answered 200, from the moment the consumer started. */
  handledAt: (number | undefined)[];
  /** The service time the app really took (a timer on a busy machine overshoots), mean. */
  serviceMs: number;
  /** Entities whose webhooks the app saw out of send order. */
  reordered: number;
}

interface Comparison {
  run: string;
  figure: 'drainMs' | 'p50' | 'p99';
  measured: number;
  modelled: number;
}

/** The calibration mix: a small Stripe burst, with and without a poison object. */
function calibrationMix(poison: boolean): Mix {
  return stripeBurst({ events: 300, objects: 60, spreadMs: 0, seed: 4, poison });
}

/**
 * Queues the mix through the local gateway (each entity's webhooks one after the other, so the
 * queue has them in send order, `senders` at once), then starts the consumer, worker and app and
 * waits until every webhook is handled or, for the poison object, in the DLQ. Sending first
 * makes the mix a burst, and keeps the sender off the event loop the drain runs on.
 * `path` picks the route, and so the message groups.
 */
async function runLocal(mix: Mix, path: string, options: { service?: number; concurrency?: number } = {}): Promise<Measured> {
  const { service = serviceMs } = options;
  const logger = createLogger({ level: 'error', write: () => undefined });
  const queue = await startLocalQueue({ visibilityTimeoutSeconds, maxReceiveCount });
  try {
    const queueOrder = await send(mix, path, queue, logger);
    let startedAt = 0;
    let served = 0;
    let servedMs = 0;
    const handledAt = new Map<string, number>();
    const seen = new Map<string, number[]>();
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx) => {
      const index = Number((await readJsonBody<{ id: string }>(ctx.req)).id.slice('evt_'.length));
      const { entity, fails } = mix.webhooks[index]!;
      const id = String(index);
      const began = performance.now();
      if (service > 0) await sleep(service);
      served++;
      servedMs += performance.now() - began;
      if (fails) {
        ctx.status = 503;
        return;
      }
      if (!handledAt.has(id)) {
        handledAt.set(id, performance.now() - startedAt);
        seen.set(entity, [...(seen.get(entity) ?? []), index]);
      }
      ctx.body = { ok: true };
    });
    startedAt = performance.now();
    const local = await startLoopbackService({
      app,
      logger,
      queue,
      // Lambda's function timeout may not pass the visibility timeout; a batch here takes ~0.3 s.
      consumer: { concurrency: options.concurrency ?? concurrency, functionTimeoutMs: visibilityTimeoutSeconds * 1000 },
      worker: { replayTimeoutMs: 500, deadlineMarginMs: 200 },
    });
    try {
      const poisoned = mix.webhooks.filter((w) => w.fails).length;
      const expected = mix.webhooks.length - poisoned;
      const deadline = performance.now() + 120_000;
      while (handledAt.size < expected || (await dlqDepth(queue.client, queue.dlqUrl)) < poisoned) {
        if (performance.now() > deadline) throw new Error(`Calibration run stalled: ${handledAt.size} of ${expected} handled`);
        await sleep(20);
      }
    } finally {
      await local.stop();
    }
    const reordered = [...seen.values()].filter((s) => s.some((seq, k) => k > 0 && seq < s[k - 1]!)).length;
    return { queueOrder, handledAt: mix.webhooks.map((_, i) => handledAt.get(String(i))), serviceMs: servedMs / served, reordered };
  } finally {
    await queue.stop();
  }
}

/** Posts every webhook of the mix to the local gateway alone (no consumer yet); returns the order it queued them in. */
async function send(mix: Mix, path: string, queue: LocalQueue, logger: Logger): Promise<number[]> {
  const gateway = createServer(createGateway({ app: (_, res) => res.writeHead(404).end(), sqs: queue.client, queueUrl: queue.queueUrl, logger, bodyLimit: 1024 * 1024 }));
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  try {
    const chains = new Map<string, Promise<void>>();
    const queueOrder: number[] = [];
    let inFlight = 0;
    const waiting: (() => void)[] = [];
    const post = async (index: number, body: string, path: string) => {
      while (inFlight >= senders) await new Promise<void>((resolve) => waiting.push(resolve));
      inFlight++;
      try {
        const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await response.arrayBuffer();
        if (response.status !== 202) throw new Error(`The local gateway answered ${response.status}`);
        queueOrder.push(index);
      } finally {
        inFlight--;
        waiting.shift()?.();
      }
    };
    mix.webhooks.forEach((w, i) => {
      const { body } = makeStripeEvent({ objectId: w.entity, eventId: `evt_${i}` });
      chains.set(w.entity, (chains.get(w.entity) ?? Promise.resolve()).then(() => post(i, body, path)));
    });
    await Promise.all(chains.values());
    return queueOrder;
  } finally {
    await new Promise((resolve) => gateway.close(resolve));
  }
}

async function dlqDepth(client: SQSClient, dlqUrl: string): Promise<number> {
  const answer = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(answer.Attributes?.ApproximateNumberOfMessages ?? 0);
}

/** Drain time and unrelated-webhook latencies of one run, measured or modelled, from the consumer's start. */
function summarise(mix: Mix, handledAt: readonly (number | undefined)[]) {
  const latencies = mix.webhooks.flatMap((w, i) => (w.fails || handledAt[i] === undefined ? [] : [handledAt[i]]));
  return { drainMs: Math.max(...latencies), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * The local path's own costs, from runs with no service time: per record (decode, inject,
 * log) and per batch (receive, invoke, delete). With one group per webhook and one consumer a
 * batch holds ten records, and the gap between two handled in the same batch is the record
 * cost; with one group a batch holds one, and the gap is both costs. Medians of the gaps, so
 * that a busy neighbour's burst does not skew them.
 */
async function measureCosts(progress: (line: string) => void): Promise<{ batchMs: number; recordMs: number }> {
  const gaps = async (mix: Mix, path: string, pollers: number) => {
    const run = await runLocal(mix, path, { service: 0, concurrency: pollers });
    const handled = run.handledAt.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
    return handled.slice(1).map((t, k) => t - handled[k]!);
  };
  // One group with as many pollers as the runs have: the idle ones poll too, and cost time.
  const oneGroup = await gaps(stripeBurst({ events: 200, objects: 1, spreadMs: 0, seed: 5 }), oneGroupPath, concurrency);
  const manyGroups = await gaps(stripeBurst({ events: 200, objects: 200, spreadMs: 0, seed: 5 }), '/webhook/stripe', 1);
  const recordMs = percentile(manyGroups, 50);
  const batchMs = Math.max(0, percentile(oneGroup, 50) - recordMs);
  progress(`fifo calibration  local path without service time: ${round(batchMs, 2)} ms per batch, ${round(recordMs, 2)} ms per record`);
  return { batchMs, recordMs };
}

interface Calibration {
  comparisons: Comparison[];
  table: string;
  figures: Figure[];
}

/** Runs the calibration mix both ways on the local path and through the model; see the file comment. */
export async function calibrateFifoModel(progress: (line: string) => void): Promise<Calibration> {
  const costs = await measureCosts(progress);
  const model: FifoModelOptions = {
    maxConcurrency: concurrency,
    batchSize: 10,
    receive: 'one-per-group',
    visibilityTimeoutMs: visibilityTimeoutSeconds * 1000,
    maxReceiveCount,
    serviceMs,
    invokeMs: costs.batchMs / 2,
    ackMs: costs.batchMs / 2,
  };
  // The path posted to, and the groups the model gives the same webhooks.
  const groupings = [
    ['per route', oneGroupPath, () => oneGroupPath],
    ['per entity', '/webhook/stripe', perEntity],
  ] as const;
  const comparisons: Comparison[] = [];
  let reordered = 0;
  for (const poison of [false, true]) {
    const mix = calibrationMix(poison);
    for (const [grouping, path, groupOf] of groupings) {
      const run = `${mix.name}, ${grouping}`;
      const measured = await runLocal(mix, path);
      reordered += measured.reordered;
      // The same burst, in the order the queue holds it, with the service time the app really took.
      const modelled = simulateFifo(
        measured.queueOrder.map((i) => ({ at: 0, group: groupOf(mix.webhooks[i]!), fails: mix.webhooks[i]!.fails })),
        { ...model, serviceMs: measured.serviceMs + costs.recordMs },
      );
      const modelledAt: (number | undefined)[] = [];
      measured.queueOrder.forEach((i, k) => (modelledAt[i] = modelled.outcomes[k]!.handledAt));
      const real = summarise(mix, measured.handledAt);
      const sim = summarise(mix, modelledAt);
      for (const figure of ['drainMs', 'p50', 'p99'] as const) comparisons.push({ run, figure, measured: real[figure], modelled: sim[figure] });
      progress(`fifo calibration  ${run}: drain ${round(real.drainMs, 0)} ms measured, ${round(sim.drainMs, 0)} ms modelled`);
    }
  }
  const error = (c: Comparison) => Math.abs(c.modelled - c.measured) / c.measured;
  const names = { drainMs: ['drain', 'drain time'], p50: ['latencyP50', 'p50 delay'], p99: ['latencyP99', 'p99 delay'] } as const;
  const figures: Figure[] = (['drainMs', 'p50', 'p99'] as const).map((figure) => {
    const worst = comparisons.filter((c) => c.figure === figure).reduce((a, b) => (error(b) > error(a) ? b : a));
    return {
      id: `fifo.calibration.${names[figure][0]}`,
      part: 'fifo model',
      label: `model vs npm start's path, ${names[figure][1]}: largest error of 4 runs (300 webhooks, 60 objects, ${serviceMs} ms each, ${concurrency} batches at once)`,
      value: round(error(worst) * 100, 1),
      unit: '%',
      target: tolerance * 100,
      note: `${worst.run}: ${round(worst.measured, 0)} ms measured, ${round(worst.modelled, 0)} ms modelled`,
    };
  });
  figures.push({
    id: 'fifo.calibration.reordered',
    part: 'fifo model',
    label: "objects whose webhooks the app saw out of send order, npm start's path",
    value: reordered,
    unit: '',
    target: 0,
  });
  const table = [
    '| run | figure | measured | modelled | error |',
    '| --- | --- | --- | --- | --- |',
    ...comparisons.map((c) => `| ${c.run} | ${names[c.figure][1]} | ${round(c.measured, 0)} ms | ${round(c.modelled, 0)} ms | ${round(error(c) * 100, 1)} % |`),
  ].join('\n');
  return { comparisons, table, figures };
}
