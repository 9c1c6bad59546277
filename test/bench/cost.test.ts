import { expect } from 'chai';
import { costPerMillion, prices, type Workload } from '../../bench/cost.ts';

const workload = (overrides: Partial<Workload> = {}): Workload => ({
  flavour: 'REST API',
  messageBytes: 3000,
  accessLogBytes: 200,
  recordLogBytes: 350,
  metricsLogBytes: 500,
  platformLogBytes: 300,
  batchMs: 2.2,
  batchSize: 10,
  memoryMB: 1024,
  idempotencyWrites: 2,
  ...overrides,
});

const perMillion = (w: Workload) => Object.fromEntries(costPerMillion(w).map((l) => [l.line, Math.round(l.perMillion * 1e6) / 1e6]));

describe('costPerMillion', () => {
  it('prices each line of a REST API webhook per million', () => {
    expect(perMillion(workload())).to.deep.equal({
      'API Gateway requests': 3.5,
      'WAF requests': 0.6,
      // A send, a tenth of a receive and a tenth of a DeleteMessageBatch: 1.2 requests.
      'SQS FIFO requests': 0.6,
      'Lambda requests': 0.02,
      // 3 ms billed per batch of 10 at 1 GB: 0.0003 GB-s per webhook.
      'Lambda GB-seconds': Math.round(0.0003 * 1e6 * prices.lambdaPerGbSecond * 1e6) / 1e6,
      'DynamoDB idempotency writes': 1.25,
      // 200 + 350 + 80 bytes per webhook.
      'CloudWatch Logs ingestion': Math.round(((630 * 1e6) / 2 ** 30) * 0.5 * 1e6) / 1e6,
    });
  });

  it('charges the HTTP API rate and no WAF for an HTTP API webhook', () => {
    const lines = perMillion(workload({ flavour: 'HTTP API' }));

    expect(lines['API Gateway requests']).to.equal(1);
    expect(lines).not.to.have.property('WAF requests');
  });

  it('bills each 64 KB of a message and of a received batch as one SQS request', () => {
    // 100 KB: a two-chunk send; a batch of 10 is 1,000 KB, 16 chunks, 1.6 per webhook.
    expect(perMillion(workload({ messageBytes: 100 * 1024 }))['SQS FIFO requests']).to.equal((2 + 1.6 + 0.1) * 0.5);
  });

  it('spreads per-invocation costs over the batch: batches of one cost ten invocations as many', () => {
    const ten = perMillion(workload());
    const one = perMillion(workload({ batchSize: 1, batchMs: 0.22 }));

    expect(one['Lambda requests']).to.equal(10 * ten['Lambda requests']!);
    expect(one['SQS FIFO requests']).to.equal(1.5);
  });
});
