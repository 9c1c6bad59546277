import { expect } from 'chai';

/** How the cost of `run` grows: linear gives about 4 for 4× the input, quadratic about 16. */
export interface Growth {
  n: number;
  /** Best time of `run(make(n))`, ms. */
  smallMs: number;
  /** Best time of `run(make(4n))`, ms. */
  largeMs: number;
  ratio: number;
}

// Timings under this are mostly timer and scheduling noise; the input is doubled until it costs more.
const minimumMs = 4;
const maximumN = 1 << 22;

function timeOnce(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

/**
 * Times `run` on inputs of size n and 4n, interleaved, and keeps the minimum of `repeats`
 * runs each: a busy neighbour only ever adds time, so the minimum is the figure it disturbs
 * least. n starts at `startN` and doubles until one run costs at least a few milliseconds.
 */
export function measureGrowth<T>(make: (n: number) => T, run: (input: T) => unknown, startN: number, repeats = 7): Growth {
  let n = startN;
  let small = make(n);
  // Warm up: the first runs are interpreted and would stop the doubling too early.
  for (let i = 0; i < 3; i++) run(small);
  while (n < maximumN && Math.min(timeOnce(() => run(small)), timeOnce(() => run(small)), timeOnce(() => run(small))) < minimumMs) {
    n *= 2;
    small = make(n);
  }
  const large = make(4 * n);
  run(large);
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let i = 0; i < repeats; i++) {
    smallMs = Math.min(smallMs, timeOnce(() => run(small)));
    largeMs = Math.min(largeMs, timeOnce(() => run(large)));
  }
  return { n, smallMs, largeMs, ratio: largeMs / smallMs };
}

/**
 * Asserts that `run` costs linear time in n (allowing n log n): 4× the input may cost at most
 * 10× the time, halfway between linear (4×) and quadratic (16×) on a log scale.
 */
export function expectLinear<T>(what: string, make: (n: number) => T, run: (input: T) => unknown, startN = 1000): Growth {
  const growth = measureGrowth(make, run, startN);
  expect(growth.ratio, `${what}: ${growth.largeMs.toFixed(2)} ms for ${4 * growth.n} against ${growth.smallMs.toFixed(2)} ms for ${growth.n}`).to.be.below(10);
  return growth;
}
