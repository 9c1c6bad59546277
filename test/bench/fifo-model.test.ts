import { expect } from 'chai';
import fc from 'fast-check';
import { simulateFifo, type FifoModelOptions, type ModelMessage } from '../../bench/fifo-model.ts';

function makeOptions(overrides: Partial<FifoModelOptions> = {}): FifoModelOptions {
  return {
    maxConcurrency: 10,
    batchSize: 10,
    receive: 'sqs',
    visibilityTimeoutMs: 1_000,
    maxReceiveCount: 3,
    serviceMs: 10,
    invokeMs: 0,
    ackMs: 0,
    ...overrides,
  };
}

const burst = (groups: string[]): ModelMessage[] => groups.map((group) => ({ at: 0, group }));

describe('simulateFifo', () => {
  it('drains one group one batch at a time, its records one after the other', () => {
    const result = simulateFifo(burst(Array.from({ length: 12 }, () => 'g')), makeOptions({ invokeMs: 1, ackMs: 2 }));

    // Batch 1: records 0–9 from t=1, done at 101, deleted at 103; batch 2 from 104.
    expect(result.outcomes.map((o) => o.handledAt)).to.deep.equal([11, 21, 31, 41, 51, 61, 71, 81, 91, 101, 114, 124]);
    expect([result.batches, result.peakConcurrency, result.endedAt]).to.deep.equal([2, 1, 124]);
  });

  it('runs the batches of different groups at once, at most maxConcurrency of them', () => {
    const messages = burst(['a', 'b', 'c']);

    const result = simulateFifo(messages, makeOptions({ batchSize: 1, maxConcurrency: 2 }));

    expect(result.outcomes.map((o) => o.handledAt)).to.deep.equal([10, 10, 20]);
    expect(result.peakConcurrency).to.equal(2);
  });

  it('holds a group while its batch is in flight: a message sent meanwhile waits for the batch to end', () => {
    const messages: ModelMessage[] = [{ at: 0, group: 'a' }, { at: 0, group: 'a' }, { at: 5, group: 'a' }];

    const result = simulateFifo(messages, makeOptions({ ackMs: 1 }));

    expect(result.outcomes.map((o) => o.handledAt)).to.deep.equal([10, 20, 31]);
  });

  it('fills a batch with one group first, then other groups, as SQS does', () => {
    const messages = burst(['a', 'b', 'a', 'b', 'c']);

    const result = simulateFifo(messages, makeOptions({ batchSize: 4, maxConcurrency: 1 }));

    // One batch: a, a, b, b in that order; then c.
    expect(result.outcomes.map((o) => o.handledAt)).to.deep.equal([10, 30, 20, 40, 50]);
  });

  it('takes at most one message per group per receive in one-per-group mode (fauxqs)', () => {
    const messages = burst(['a', 'a', 'a', 'b']);

    const result = simulateFifo(messages, makeOptions({ receive: 'one-per-group', maxConcurrency: 1 }));

    expect(result.outcomes.map((o) => o.handledAt)).to.deep.equal([10, 30, 40, 20]);
    expect([result.batches, result.meanBatchSize]).to.deep.equal([3, 4 / 3]);
  });

  it('retries a failing record after each visibility timeout, then moves it to the DLQ; its group waits, others do not', () => {
    const messages: ModelMessage[] = [{ at: 0, group: 'a', fails: true }, { at: 0, group: 'a' }, { at: 0, group: 'b' }];

    const result = simulateFifo(messages, makeOptions({ batchSize: 1, visibilityTimeoutMs: 1_000, maxReceiveCount: 3 }));

    // Received at 0, 1000 and 2000; the fourth receive, at 3000, moves it to the DLQ.
    expect(result.outcomes[0]).to.deep.equal({ receives: 3, dlqAt: 3_000 });
    expect(result.outcomes[1]).to.deep.equal({ receives: 1, handledAt: 3_010 });
    expect(result.outcomes[2]).to.deep.equal({ receives: 1, handledAt: 10 });
  });

  it('sends the records skipped behind a failure in the same batch to the DLQ with it', () => {
    const messages: ModelMessage[] = [{ at: 0, group: 'a', fails: true }, { at: 0, group: 'a' }, { at: 0, group: 'a' }];

    const result = simulateFifo(messages, makeOptions({ maxReceiveCount: 2 }));

    expect(result.outcomes).to.deep.equal([
      { receives: 2, dlqAt: 2_000 },
      { receives: 2, dlqAt: 2_000 },
      { receives: 2, dlqAt: 2_000 },
    ]);
  });

  it('looks for available groups among the first scanWindow messages only', () => {
    // Group a's three messages sit in flight at the head; b's message is the fourth.
    const messages: ModelMessage[] = [
      { at: 0, group: 'a', fails: true },
      { at: 0, group: 'a' },
      { at: 0, group: 'a' },
      { at: 1, group: 'b' },
    ];

    const narrow = simulateFifo(messages, makeOptions({ scanWindow: 3, maxReceiveCount: 1 }));
    const wide = simulateFifo(messages, makeOptions({ scanWindow: 4, maxReceiveCount: 1 }));

    expect(narrow.outcomes[3]!.handledAt).to.equal(1_010);
    expect(wide.outcomes[3]!.handledAt).to.equal(11);
  });

  it('keeps send order per group, never exceeds maxConcurrency, and resolves every message once (any mix)', () => {
    const message = fc.record({ at: fc.integer({ min: 0, max: 300 }), group: fc.constantFrom('a', 'b', 'c', 'd', 'e'), fails: fc.boolean() });
    const options = fc.record({
      maxConcurrency: fc.integer({ min: 1, max: 4 }),
      batchSize: fc.integer({ min: 1, max: 10 }),
      receive: fc.constantFrom<FifoModelOptions['receive']>('sqs', 'one-per-group'),
      visibilityTimeoutMs: fc.integer({ min: 1, max: 500 }),
      maxReceiveCount: fc.integer({ min: 1, max: 4 }),
      serviceMs: fc.integer({ min: 1, max: 50 }),
      invokeMs: fc.integer({ min: 0, max: 5 }),
      ackMs: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 80 }), options, (messages, opts) => {
        const result = simulateFifo(messages, opts);

        expect(result.peakConcurrency).to.be.at.most(opts.maxConcurrency);
        result.outcomes.forEach((o, i) => {
          expect((o.handledAt === undefined) !== (o.dlqAt === undefined), `message ${i} resolved once`).to.equal(true);
          expect(o.receives).to.be.within(messages[i]!.fails ? 1 : 0, opts.maxReceiveCount);
          if (messages[i]!.fails) expect(o.handledAt).to.equal(undefined);
        });
        // Within a group, in send order (ties by input order), one at a time: handled times rise.
        for (const group of new Set(messages.map((m) => m.group))) {
          const sent = messages.map((m, i) => ({ m, i })).filter(({ m }) => m.group === group).sort((x, y) => x.m.at - y.m.at || x.i - y.i);
          const handled = sent.flatMap(({ i }) => result.outcomes[i]!.handledAt ?? []);
          expect(handled.every((t, k) => k === 0 || t > handled[k - 1]!), `group ${group}: ${handled.join(', ')}`).to.equal(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
