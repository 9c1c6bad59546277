import type { RecordReport } from './record-report.ts';

export interface WorkerMetrics {
  /** Counts one record's outcome and, when known, its replay duration and queue lag. */
  add(report: RecordReport): void;
  /** Writes what was added as one EMF line; called once per invocation. */
  flush(): void;
}

type Unit = 'Count' | 'Milliseconds';

const outcomeMetric = { done: 'Replayed', retry: 'Retried', parked: 'Parked', logged: 'Unrecognized' } as const;
// EMF takes at most 100 values per metric in one line.
const maxValues = 100;

/**
 * Worker metrics in CloudWatch Embedded Metric Format
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * one line per invocation, one value per record and metric, in the order first added, the
 * `service` dimension. The line Powertools Metrics wrote, without its per-value validation
 * and environment reads. Lines go to `write`: stdout by default, where CloudWatch Logs turns
 * them into metrics.
 */
export function createWorkerMetrics(
  options: { namespace?: string; service?: string; write?: (line: string) => void } = {},
): WorkerMetrics {
  const namespace = options.namespace ?? 'WebhookIntake';
  const service = options.service ?? 'webhook-intake';
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  let stored = new Map<string, { unit: Unit; values: number[] }>();

  const put = (name: string, unit: Unit, value: number) => {
    const metric = stored.get(name);
    if (metric === undefined) stored.set(name, { unit, values: [value] });
    else if (metric.values.push(value) === maxValues) flush();
  };

  function flush(): void {
    if (stored.size === 0) return;
    const metrics = [...stored];
    stored = new Map();
    const definitions = metrics.map(([name, { unit }]) => ({ Name: name, Unit: unit }));
    const values = Object.fromEntries(metrics.map(([name, { values }]) => [name, values.length === 1 ? values[0] : values]));
    write(JSON.stringify({ _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['service']], Metrics: definitions }] }, service, ...values }));
  }

  return {
    add(report) {
      put(outcomeMetric[report.outcome], 'Count', 1);
      if (report.replayMs !== undefined) put('ReplayDuration', 'Milliseconds', report.replayMs);
      if (report.queueLagMs !== undefined) put('QueueLag', 'Milliseconds', report.queueLagMs);
    },
    flush,
  };
}
