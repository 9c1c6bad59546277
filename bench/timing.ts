import { median, percentile, round } from './stats.ts';

export interface Throughput {
  perSecond: number;
  /** Median over rounds of the mean time per call. */
  meanUs: number;
  p50Us: number;
  p99Us: number;
  /** Mean time per call in each round, µs, in round order: pair them across subjects. */
  roundMeansUs: number[];
}

export interface TimingPlan {
  warmup: number;
  rounds: number;
  perRound: number;
}

/**
 * Times sequential calls of each subject — one at a time, as Lambda invokes a handler — in
 * interleaved rounds, so a noisy neighbour slows every subject alike. `call(i)` gets a
 * running index, to vary the request.
 */
export async function timeSubjects<K extends string>(
  subjects: Record<K, (i: number) => Promise<unknown>>,
  plan: TimingPlan,
): Promise<Record<K, Throughput>> {
  const names = Object.keys(subjects) as K[];
  const calls = new Map<K, number[]>(names.map((n) => [n, []]));
  const roundMeans = new Map<K, number[]>(names.map((n) => [n, []]));
  let index = 0;
  for (const name of names) for (let i = 0; i < plan.warmup; i++) await subjects[name](index++);

  for (let r = 0; r < plan.rounds; r++) {
    for (const name of names) {
      const samples = calls.get(name)!;
      const started = performance.now();
      for (let i = 0; i < plan.perRound; i++) {
        const t = performance.now();
        await subjects[name](index++);
        samples.push((performance.now() - t) * 1000);
      }
      roundMeans.get(name)!.push(((performance.now() - started) * 1000) / plan.perRound);
    }
  }

  const summary = {} as Record<K, Throughput>;
  for (const name of names) {
    const meanUs = median(roundMeans.get(name)!);
    const samples = calls.get(name)!;
    summary[name] = { perSecond: Math.round(1e6 / meanUs), meanUs: round(meanUs), p50Us: round(percentile(samples, 50)), p99Us: round(percentile(samples, 99)), roundMeansUs: roundMeans.get(name)! };
  }
  return summary;
}

/**
 * The median over rounds of `a`'s round mean over `b`'s: each pair ran back to back, so a
 * neighbour's burst of load weighs on both sides of a ratio, where it would skew one median.
 */
export function pairedRatio(a: Throughput, b: Throughput): number {
  return median(a.roundMeansUs.map((mean, i) => mean / b.roundMeansUs[i]!));
}
