import { expect } from 'chai';
import { createWorkerMetrics } from '../../../services/worker/metrics.ts';
import type { RecordReport } from '../../../services/worker/record-report.ts';

const report = (overrides: Partial<RecordReport>): RecordReport => ({ messageId: 'm', receiveCount: 1, outcome: 'done', durationMs: 1, ...overrides });

describe('createWorkerMetrics', () => {
  it('writes one EMF line with a count per outcome, replay durations and queue lags', () => {
    const lines: string[] = [];
    const metrics = createWorkerMetrics({ namespace: 'Test', service: 'svc', write: (line) => lines.push(line) });

    metrics.add(report({ outcome: 'done', replayMs: 12.5, queueLagMs: 300 }));
    metrics.add(report({ outcome: 'parked', replayMs: 3, queueLagMs: 400 }));
    metrics.add(report({ outcome: 'retry', reason: 'deadline' }));
    metrics.add(report({ outcome: 'logged', queueLagMs: 500 }));
    metrics.flush();

    expect(lines).to.have.length(1);
    const { _aws: aws, ...values } = JSON.parse(lines[0]!) as { _aws: { Timestamp: unknown; CloudWatchMetrics: unknown } };
    expect(aws.CloudWatchMetrics).to.deep.equal([{
      Namespace: 'Test',
      Dimensions: [['service']],
      Metrics: [
        { Name: 'Replayed', Unit: 'Count' },
        { Name: 'ReplayDuration', Unit: 'Milliseconds' },
        { Name: 'QueueLag', Unit: 'Milliseconds' },
        { Name: 'Parked', Unit: 'Count' },
        { Name: 'Retried', Unit: 'Count' },
        { Name: 'Unrecognized', Unit: 'Count' },
      ],
    }]);
    expect(values).to.deep.equal({ service: 'svc', Replayed: 1, ReplayDuration: [12.5, 3], QueueLag: [300, 400, 500], Parked: 1, Retried: 1, Unrecognized: 1 });
  });

  it('writes nothing when nothing was added, and starts afresh after a flush', () => {
    const lines: string[] = [];
    const metrics = createWorkerMetrics({ write: (line) => lines.push(line) });

    metrics.flush();
    metrics.add(report({ outcome: 'retry' }));
    metrics.flush();
    metrics.flush();

    expect(lines.map((line) => (JSON.parse(line) as Record<string, unknown>).Retried)).to.deep.equal([1]);
  });

  it('writes a line as soon as a metric holds 100 values, the most one EMF line may carry', () => {
    const lines: string[] = [];
    const metrics = createWorkerMetrics({ write: (line) => lines.push(line) });

    for (let i = 0; i < 250; i++) metrics.add(report({ outcome: 'done', replayMs: i }));
    metrics.flush();

    const written = lines.map((line) => JSON.parse(line) as { Replayed: number[]; ReplayDuration: number[] });
    expect(written).to.have.length(3);
    expect(Math.max(...written.flatMap((w) => [w.Replayed.length, w.ReplayDuration.length]))).to.equal(100);
    expect(written.flatMap((w) => w.Replayed)).to.have.length(250);
    expect(written.flatMap((w) => w.ReplayDuration)).to.deep.equal(Array.from({ length: 250 }, (_, i) => i));
  });
});
