/** Summary statistics for benchmark samples. Medians, not means: a shared machine has outliers. */

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** The nearest-rank percentile (`p` from 0 to 100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** `value / floor`, rounded to two decimals, as printed and budgeted. */
export function ratio(value: number, floor: number): number {
  return Math.round((value / floor) * 100) / 100;
}

export function round(value: number, decimals = 1): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
