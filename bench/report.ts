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
  /** KiB of the entry and the chunks it imports statically: what a cold start parses. */
  kib: number;
  /** The largest contributors to those (npm package, or our own top folder), KiB in the output. */
  largest: { name: string; kib: number }[];
  /** KiB in the chunks the entry may import later, on first use. */
  lazyKib: number;
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
  return markdown(['part', 'figure', 'value', 'floor', 'ratio', 'target', 'met', 'notes'], rows);
}

/**
 * The same figures measured once per column (ids `<prefix><column>.<row>`, e.g. cold starts
 * per Node version) as one Markdown table: a row per figure, value and ratio per column, and
 * the target of the last column, the one targets are set for.
 */
export function formatByColumn(figures: readonly Figure[], prefix: string, columns: readonly { name: string; title: string }[]): string {
  const last = columns.at(-1)!;
  const byId = new Map(figures.map((f) => [f.id, f]));
  const rows = figures
    .filter((f) => f.id.startsWith(`${prefix}${last.name}.`))
    .map((lastFigure) => {
      const row = lastFigure.id.slice(`${prefix}${last.name}.`.length);
      const cells = columns.map(({ name }) => {
        const f = byId.get(`${prefix}${name}.${row}`);
        return f === undefined ? ['', ''] : [`${format(f.value)} ${f.unit}`, f.ratio === undefined ? '' : `${f.ratio.toFixed(2)}×`];
      });
      const { target } = lastFigure;
      return [
        lastFigure.label,
        ...cells.flat(),
        target === undefined ? '' : `≤ ${lastFigure.ratio === undefined ? `${format(target)} ${lastFigure.unit}` : `${target}×`}`,
        target === undefined ? '' : bounded(lastFigure) <= target ? 'yes' : 'NO',
        lastFigure.note ?? '',
      ];
    });
  const header = ['figure', ...columns.flatMap(({ title }) => [title, 'ratio']), `target (${last.title})`, 'met', 'notes'];
  return markdown(header, rows);
}

/** Rows under a header, as a Markdown table with padded columns. */
export function markdown(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function format(value: number): string {
  if (Number.isInteger(value) || Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(Math.abs(value) >= 10 ? 1 : 2);
}
