import { cpus, totalmem } from 'node:os';

/** One measured figure: a row of the final table and of bench/results/latest.json. */
export interface Figure {
  /** Stable id that bench/budgets.json refers to, e.g. `coldStart.http`. */
  id: string;
  part: string;
  label: string;
  value: number;
  unit: string;
  /** The same figure for the floor, measured in the same run. */
  floor?: number;
  /** `value / floor`; what budgets and targets bound when present, else `value`. */
  ratio?: number;
  /** The target bound on `ratio` (or `value`); none for informational rows. */
  target?: number;
  /** Companion figures worth a glance (throughput, percentiles). */
  note?: string;
}

/** A bundle's size and what dominates it. */
export interface BundleContents {
  bundle: string;
  kib: number;
  /** The largest contributors (npm package, or our own top folder), KiB in the output. */
  largest: { name: string; kib: number }[];
}

export interface Results {
  ranAt: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string };
  durationSeconds: number;
  figures: Figure[];
  bundles: BundleContents[];
}

/** The figure a budget or target bounds. */
export function bounded(figure: Figure): number {
  return figure.ratio ?? figure.value;
}

export function describeMachine(): Results['machine'] {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The final table, as Markdown so the README can take it as is. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.part,
    f.label,
    `${format(f.value)} ${f.unit}`,
    f.floor === undefined ? '' : `${format(f.floor)} ${f.unit}`,
    f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}×`,
    f.target === undefined ? '' : `≤ ${f.ratio === undefined ? `${format(f.target)} ${f.unit}` : `${f.target}×`}`,
    f.target === undefined ? '' : bounded(f) <= f.target ? 'yes' : 'NO',
    f.note ?? '',
  ]);
  const header = ['part', 'figure', 'value', 'floor', 'ratio', 'target', 'met', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function format(value: number): string {
  if (Number.isInteger(value) || Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
}
