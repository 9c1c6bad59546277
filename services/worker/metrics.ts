import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RecordReport } from './record-report.ts';

export interface WorkerMetrics {
  /** Counts one record's outcome and, when known, its replay duration and queue lag. */
  add(report: RecordReport): void;
  /** Writes what was added as one EMF line; called once per invocation. */
  flush(): void;
}

const outcomeMetric = { done: 'Replayed', retry: 'Retried', parked: 'Parked', logged: 'Unrecognized' } as const;

/**
 * Worker metrics in CloudWatch Embedded Metric Format, built with Powertools Metrics
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * Lines go to `write`: stdout by default, where CloudWatch Logs turns them into metrics.
 */
export function createWorkerMetrics(
  options: { namespace?: string; service?: string; write?: (line: string) => void } = {},
): WorkerMetrics {
  const metrics = new Metrics({ namespace: options.namespace ?? 'WebhookIntake', serviceName: options.service ?? 'webhook-intake' });
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));

  return {
    add(report) {
      metrics.addMetric(outcomeMetric[report.outcome], MetricUnit.Count, 1);
      if (report.replayMs !== undefined) metrics.addMetric('ReplayDuration', MetricUnit.Milliseconds, report.replayMs);
      if (report.queueLagMs !== undefined) metrics.addMetric('QueueLag', MetricUnit.Milliseconds, report.queueLagMs);
    },
    flush() {
      if (!metrics.hasStoredMetrics()) return;
      try {
        write(JSON.stringify(metrics.serializeMetrics()));
      } finally {
        metrics.clearMetrics();
      }
    },
  };
}
