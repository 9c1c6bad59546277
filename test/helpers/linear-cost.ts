import { expect } from 'chai';

/** Times larger the second input is than the first. */
export const growthFactor = 8;

/** How the cost of `run` grows: linear gives about 8 for 8× the input, quadratic about 64. */
export interface Growth {
  n: number;
  /** Runs per timed batch. */
  batch: number;
  /** Median time of a batch on an input of size n, ms. */
  smallMs: number;
  /** Median time of a batch on an input of size 8n, ms. */
  largeMs: number;
  /** Median of the large/small ratios of batches timed side by side. */
  ratio: number;
}

// A batch shorter than this is mostly timer and scheduling noise: runs are added until it is longer.
const minimumBatchMs = 20;

function timeBatch(run: () => unknown, batch: number): number {
  const started = performance.now();
  for (let i = 0; i < batch; i++) run();
  return performance.now() - started;
}

/**
 * Times `run` on inputs of size n and 8n — sizes a caller picks from real traffic, since huge
 * inputs measure the memory system and the garbage collector rather than the algorithm — in
 * batches long enough to time, a small and a large batch side by side `repeats` times, and
 * keeps the median of their ratios: a busy neighbour or a collection slows one pair, not most.
 */
export function measureGrowth<T>(make: (n: number) => T, run: (input: T) => unknown, n: number, repeats = 9): Growth {
  const small = make(n);
  const large = make(growthFactor * n);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  // Warm up until the JIT has settled: early runs are interpreted and would mislead the batch size.
  for (const started = performance.now(); performance.now() - started < 100; ) {
    run(small);
    run(large);
  }
  let batch = 1;
  for (let attempt = 0; ; attempt++) {
    // The best of three, so that one slow moment does not stop the doubling early.
    while (batch < 1 << 20 && Math.min(timeBatch(() => run(small), batch), timeBatch(() => run(small), batch), timeBatch(() => run(small), batch)) < minimumBatchMs) batch *= 2;
    const pairs: [number, number][] = [];
    for (let i = 0; i < repeats; i++) pairs.push([timeBatch(() => run(small), batch), timeBatch(() => run(large), batch)]);
    const smallMs = median(pairs.map(([ms]) => ms));
    // Batches turned out shorter than planned (the machine was slow while sizing them): again, longer.
    if (smallMs < minimumBatchMs / 2 && attempt < 3) {
      batch *= 2;
      continue;
    }
    return { n, batch, smallMs, largeMs: median(pairs.map(([, ms]) => ms)), ratio: median(pairs.map(([s, l]) => l / s)) };
  }
}

/**
 * Asserts that `run` costs linear time in n (n log n passes): 8× the input may cost at most
 * 32× the time, half of what quadratic work costs (64×), with room for the garbage a larger
 * input makes the collector sweep. A busy neighbour can only inflate a ratio, so a failing
 * measurement is taken again, up to three times, and the lowest ratio counts.
 */
export function expectLinear<T>(what: string, make: (n: number) => T, run: (input: T) => unknown, n = 500): Growth {
  const limit = 32;
  const tries: Growth[] = [];
  while (tries.length < 3 && !tries.some((growth) => growth.ratio < limit)) tries.push(measureGrowth(make, run, n));
  const best = tries.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const detail = `${what}: ${best.largeMs.toFixed(1)} ms for ${best.batch} runs at ${growthFactor * n} against ${best.smallMs.toFixed(1)} ms at ${n} (ratios ${tries.map((growth) => growth.ratio.toFixed(1)).join(', ')})`;
  expect(best.ratio, detail).to.be.below(limit);
  return best;
}
