import { setTimeout as sleep } from 'node:timers/promises';
import { webhookRequest } from './events.ts';
import { startNpmStart, type RunningService } from './npm-start.ts';
import type { Figure } from './report.ts';
import { percentile, round } from './stats.ts';

interface Delivery {
  sentAt: number;
  status: number;
  messageId?: string;
}

const burst = { count: 1000, concurrency: 16 };
// A steady rate well under what one message group drains, so latency is not backlog.
const paced = { count: 250, perSecond: 50 };

/**
 * The local pipeline end to end, through `npm start` (gateway → queue → consumer → worker →
 * app): a burst of `POST /webhook` measures how fast the queued path drains; a paced run
 * measures POST-to-handled latency. A webhook is handled
 * when the worker logs its `queue record` line with outcome `done`; one accepted (202) and
 * never handled is lost.
 */
export async function measurePipeline(progress: (line: string) => void): Promise<Figure[]> {
  progress('pipeline    starting npm start');
  const service = await startNpmStart();
  try {
    const handledAt = new Map<string, number>();
    const outcomes = new Map<string, number>();
    service.onLog((line, at) => {
      if (line.message !== 'queue record') return;
      outcomes.set(String(line.outcome), (outcomes.get(String(line.outcome)) ?? 0) + 1);
      if (line.outcome === 'done' && !handledAt.has(String(line.messageId))) handledAt.set(String(line.messageId), at);
    });
    let next = 0;
    const send = (): Promise<Delivery> => postWebhook(service, next++);

    // Warm-up: JIT, connections, the queue's first receive.
    const warmupSent = await runConcurrently(20, 4, send);
    await drain(warmupSent, handledAt);
    const burstSent = await runConcurrently(burst.count, burst.concurrency, send);
    await drain(burstSent, handledAt);
    const burstHandled = burstSent.flatMap((d) => handledAt.get(d.messageId ?? '') ?? []);
    const perSecond = Math.round(burstHandled.length / ((Math.max(...burstHandled) - burstSent[0]!.sentAt) / 1000));
    progress(`pipeline    burst of ${burst.count}: ${perSecond} webhooks/s handled`);

    const pacedSent = await runPaced(paced.count, paced.perSecond, send);
    await drain(pacedSent, handledAt);
    const latencies = pacedSent.flatMap((d) => {
      const at = handledAt.get(d.messageId ?? '');
      return at === undefined ? [] : [at - d.sentAt];
    });
    const all = [...warmupSent, ...burstSent, ...pacedSent];
    const accepted = all.filter((d) => d.status === 202);
    const lost = accepted.filter((d) => !handledAt.has(d.messageId ?? '')).length;
    const refused = all.length - accepted.length;
    const outcomeNote = [...outcomes].map(([outcome, n]) => `${outcome} ${n}`).join(', ');
    progress(`pipeline    paced at ${paced.perSecond}/s: p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms; lost ${lost}, refused ${refused}`);

    return [
      { id: 'pipeline.throughput', part: 'local pipeline', label: `webhooks handled per second (burst of ${burst.count}, ${burst.concurrency} senders, one group)`, value: perSecond, unit: '/s', note: 'fauxqs hands out one message per group per receive' },
      { id: 'pipeline.latencyP50', part: 'local pipeline', label: `POST-to-handled p50 (${paced.count} paced at ${paced.perSecond}/s)`, value: round(percentile(latencies, 50)), unit: 'ms' },
      { id: 'pipeline.latencyP99', part: 'local pipeline', label: 'POST-to-handled p99', value: round(percentile(latencies, 99)), unit: 'ms' },
      { id: 'pipeline.lost', part: 'local pipeline', label: `webhooks lost of ${accepted.length} accepted`, value: lost, unit: '', target: 0, note: `refused ${refused}; worker outcomes: ${outcomeNote}` },
    ];
  } finally {
    await service.stop();
  }
}

async function postWebhook(service: RunningService, index: number): Promise<Delivery> {
  const request = webhookRequest(index);
  const sentAt = performance.now();
  const headers = { 'content-type': request.headers['content-type'] ?? 'application/json' };
  const response = await fetch(`${service.url}${request.path}`, { method: 'POST', headers, body: request.body });
  const answer = (await response.json()) as { messageId?: string };
  return { sentAt, status: response.status, ...(answer.messageId ? { messageId: answer.messageId } : {}) };
}

async function runConcurrently(count: number, concurrency: number, send: () => Promise<Delivery>): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  let started = 0;
  const sender = async () => {
    while (started < count) {
      started++;
      deliveries.push(await send());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return deliveries.sort((a, b) => a.sentAt - b.sentAt);
}

/** Sends at a steady rate, not waiting for answers, as providers do. */
async function runPaced(count: number, perSecond: number, send: () => Promise<Delivery>): Promise<Delivery[]> {
  const interval = 1000 / perSecond;
  const started = performance.now();
  const pending: Promise<Delivery>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(send());
  }
  return Promise.all(pending);
}

/** Waits until every accepted delivery is handled, or nothing more is handled for 10 s. */
async function drain(deliveries: readonly Delivery[], handledAt: ReadonlyMap<string, number>): Promise<void> {
  const waiting = () => deliveries.filter((d) => d.status === 202 && !handledAt.has(d.messageId ?? '')).length;
  let left = waiting();
  let lastProgress = performance.now();
  while (left > 0 && performance.now() - lastProgress < 10_000) {
    await sleep(50);
    const now = waiting();
    if (now < left) lastProgress = performance.now();
    left = now;
  }
}
