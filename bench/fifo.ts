// `npm run bench:fifo` (also part of `npm run bench`): the FIFO scaling model of issue 12. Replays
// each mix through bench/fifo-model.ts with one message group per route (the old layout) and
// one per entity, and reports drain time and the delay of unrelated webhooks; then checks the
// model against the real local path (bench/fifo-calibration.ts).
import { pathToFileURL } from 'node:url';
import { calibrateFifoModel } from './fifo-calibration.ts';
import { perEntity, perRoute, type Grouping } from './fifo-groupings.ts';
import { simulateFifo, type FifoModelOptions, type FifoModelResult } from './fifo-model.ts';
import { steadyMix, stripeBurst, type Mix, type MixWebhook } from './fifo-mixes.ts';
import { formatTable, type Figure } from './report.ts';
import { percentile, ratio, round } from './stats.ts';

/** How a deployment drains the queue (infra/service.yaml), with the issue's 50 ms per webhook. */
export const awsModel: FifoModelOptions = {
  maxConcurrency: 50,
  batchSize: 10,
  receive: 'sqs',
  visibilityTimeoutMs: 180_000,
  maxReceiveCount: 5,
  serviceMs: 50,
  // Assumed, not measured: a warm invoke and the event source's DeleteMessageBatch.
  invokeMs: 10,
  ackMs: 10,
};

interface Spread {
  p50: number;
  p99: number;
  max: number;
}

interface MixFigures {
  mix: string;
  grouping: string;
  /** From the first arrival until every webhook not about the poison object is handled. */
  drainMs: number;
  /** Handled minus arrived, for the webhooks that count (see `unrelatedTo`); none when none was handled. */
  latency?: Spread;
  /** Latency minus the same webhook's latency in the mix without the poison object. */
  extra?: Spread;
  /** Webhooks that never failed but reached the DLQ (sent behind a failure in its batch too often). */
  innocentInDlq: number;
  /** When the poison object's last webhook was resolved (handled or in the DLQ), after it arrived. */
  poisonResolvedMs?: number;
  batches: number;
  meanBatchSize: number;
  peakConcurrency: number;
}

/**
 * The webhooks whose delay a pair of mixes reports: the poison object's provider's other
 * webhooks ("unrelated webhooks of the same provider"), in the clean mix too.
 */
function unrelatedTo(poison: NonNullable<Mix['poison']>): (w: MixWebhook) => boolean {
  return (w) => w.provider === poison.provider && w.entity !== poison.entity;
}

/**
 * Runs one mix through the model and sums it up; `clean` is the run of the same traffic
 * without the poison object, to measure each webhook's extra delay against.
 */
export function runMix(
  mix: Mix,
  grouping: Grouping,
  options: FifoModelOptions,
  counted: (w: MixWebhook) => boolean,
  clean?: FifoModelResult,
): { figures: Omit<MixFigures, 'mix' | 'grouping'>; result: FifoModelResult } {
  const result = simulateFifo(mix.webhooks.map((w) => ({ at: w.at, group: grouping(w), fails: w.fails })), options);
  const start = Math.min(...mix.webhooks.map((w) => w.at));
  const latencies: number[] = [];
  const extras: number[] = [];
  let drainedAt = start;
  let innocentInDlq = 0;
  let poisonResolvedAt: number | undefined;
  mix.webhooks.forEach((w, i) => {
    const outcome = result.outcomes[i]!;
    if (w.fails) {
      poisonResolvedAt = Math.max(poisonResolvedAt ?? 0, (outcome.handledAt ?? outcome.dlqAt ?? Infinity) - w.at);
      return;
    }
    if (outcome.handledAt === undefined) {
      innocentInDlq++;
      return;
    }
    drainedAt = Math.max(drainedAt, outcome.handledAt);
    if (!counted(w)) return;
    latencies.push(outcome.handledAt - w.at);
    const before = clean?.outcomes[i]?.handledAt;
    if (before !== undefined) extras.push(outcome.handledAt - before);
  });
  const spread = (samples: number[]): Spread | undefined =>
    samples.length === 0 ? undefined : { p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples) };
  const latency = spread(latencies);
  const extra = spread(extras);
  return {
    result,
    figures: {
      drainMs: drainedAt - start,
      ...(latency ? { latency } : {}),
      ...(extra ? { extra } : {}),
      innocentInDlq,
      ...(poisonResolvedAt === undefined ? {} : { poisonResolvedMs: poisonResolvedAt }),
      batches: result.batches,
      meanBatchSize: result.meanBatchSize,
      peakConcurrency: result.peakConcurrency,
    },
  };
}

/** Every mix of the issue under both groupings; a poison mix is compared with its clean twin. */
function modelMixes(options: FifoModelOptions = awsModel): MixFigures[] {
  const pairs: [Mix, Mix][] = [
    [stripeBurst(), stripeBurst({ poison: true })],
    [steadyMix(), steadyMix({ poison: true })],
  ];
  const rows: MixFigures[] = [];
  for (const [clean, poisoned] of pairs) {
    const counted = unrelatedTo(poisoned.poison!);
    for (const [grouping, group] of [['per route', perRoute], ['per entity', perEntity]] as const) {
      const base = runMix(clean, group, options, counted);
      rows.push({ mix: clean.name, grouping, ...base.figures });
      rows.push({ mix: poisoned.name, grouping, ...runMix(poisoned, group, options, counted, base.result).figures });
    }
  }
  return rows;
}

function formatSeconds(ms: number): string {
  if (ms >= 60_000) return `${round(ms / 60_000, 1)} min`;
  if (ms >= 1_000) return `${round(ms / 1_000, 2)} s`;
  return `${Math.round(ms)} ms`;
}

function formatMixTable(rows: readonly MixFigures[]): string {
  const header = ['mix', 'groups', 'drain', 'delay p50', 'p99', 'max', 'extra p99 (vs no poison)', 'never failed, in DLQ', 'poison object resolved after', 'batches (mean size)', 'peak concurrency'];
  const cells = rows.map((r) => [
    r.mix,
    r.grouping,
    formatSeconds(r.drainMs),
    r.latency ? formatSeconds(r.latency.p50) : '',
    r.latency ? formatSeconds(r.latency.p99) : '',
    r.latency ? formatSeconds(r.latency.max) : '',
    r.extra ? formatSeconds(r.extra.p99) : '',
    String(r.innocentInDlq),
    r.poisonResolvedMs === undefined ? '' : formatSeconds(r.poisonResolvedMs),
    `${r.batches.toLocaleString('en-US')} (${r.meanBatchSize.toFixed(1)})`,
    String(r.peakConcurrency),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The model's figures against the issue's targets, as rows of the `npm run bench` table. */
function modelFigures(rows: readonly MixFigures[]): Figure[] {
  const row = (mix: string, grouping: string) => {
    const found = rows.find((r) => r.mix === mix && r.grouping === grouping);
    if (!found) throw new Error(`no model row for ${mix}, ${grouping}`);
    return found;
  };
  const burstRoute = row('stripe burst', 'per route');
  const burstEntity = row('stripe burst', 'per entity');
  const poisonBurstRoute = row('stripe burst, one poison object', 'per route');
  const poisonBurstEntity = row('stripe burst, one poison object', 'per entity');
  const poisonSteadyRoute = row('steady mix, one poison object', 'per route');
  const poisonSteadyEntity = row('steady mix, one poison object', 'per entity');
  const seconds = (ms: number) => round(ms / 1000, 2);
  return [
    {
      id: 'fifo.burstDrain',
      part: 'fifo model',
      label: 'drain 10,000 Stripe events over 2,000 objects, per-entity groups (floor: per route), MaximumConcurrency 50, 50 ms each',
      value: seconds(burstEntity.drainMs),
      floor: seconds(burstRoute.drainMs),
      ratio: ratio(burstEntity.drainMs, burstRoute.drainMs),
      unit: 's',
      target: 0.05,
      note: `${round(burstRoute.drainMs / burstEntity.drainMs, 0)}× faster; peak concurrency ${burstEntity.peakConcurrency} vs ${burstRoute.peakConcurrency}`,
    },
    {
      id: 'fifo.poisonBurstExtraP99',
      part: 'fifo model',
      label: 'that burst with one poison object: p99 extra delay of unrelated Stripe webhooks, per-entity groups',
      value: Math.round(poisonBurstEntity.extra?.p99 ?? Infinity),
      unit: 'ms',
      target: 5_000,
      note: `per route: ${formatSeconds(poisonBurstRoute.extra?.p99 ?? Infinity)}, ${poisonBurstRoute.innocentInDlq} that never failed sent to the DLQ`,
    },
    {
      id: 'fifo.poisonSteadyExtraP99',
      part: 'fifo model',
      label: 'steady mix with one poison Stripe object: p99 extra delay of unrelated Stripe webhooks, per-entity groups',
      value: Math.round(poisonSteadyEntity.extra?.p99 ?? Infinity),
      unit: 'ms',
      target: 5_000,
      note: `per route: ${formatSeconds(poisonSteadyRoute.extra?.p99 ?? Infinity)}, ${poisonSteadyRoute.innocentInDlq} that never failed sent to the DLQ`,
    },
  ];
}

/** The model's rows and the calibration's, for `npm run bench`. */
export async function measureFifo(progress: (line: string) => void): Promise<Figure[]> {
  const rows = modelMixes();
  for (const r of rows) progress(`fifo model  ${r.mix}, ${r.grouping}: drain ${formatSeconds(r.drainMs)}${r.latency ? `, p99 ${formatSeconds(r.latency.p99)}` : ''}${r.extra ? `, extra p99 ${formatSeconds(r.extra.p99)}` : ''}`);
  const calibration = await calibrateFifoModel(progress);
  return [...modelFigures(rows), ...calibration.figures];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const rows = modelMixes();
  console.log(`FIFO model, AWS settings: MaximumConcurrency ${awsModel.maxConcurrency}, batches of ${awsModel.batchSize}, ${awsModel.serviceMs} ms per webhook, visibility timeout ${awsModel.visibilityTimeoutMs / 1000} s, maxReceiveCount ${awsModel.maxReceiveCount}\n`);
  console.log(`${formatMixTable(rows)}\n`);
  const calibration = await calibrateFifoModel((line) => console.log(line));
  console.log(`\n${calibration.table}\n`);
  console.log(`${formatTable([...modelFigures(rows), ...calibration.figures])}\n`);
  console.log(`${round((performance.now() - started) / 1000, 0)} s`);
}
