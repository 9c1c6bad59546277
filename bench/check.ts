// `npm run bench:check`: compares bench/results/latest.json with bench/budgets.json and exits
// non-zero when a figure is over its budget or missing. Not part of `npm test`: timings are
// noisy, so run it after `npm run bench` on a quiet machine.
import { readFileSync } from 'node:fs';
import { bounded, type Results } from './report.ts';

interface Budget {
  /** Upper bound on the figure's ratio (or its value when it has no floor). */
  max: number;
  why: string;
}

const results = JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as Results;
const budgets = JSON.parse(readFileSync('bench/budgets.json', 'utf8')) as Record<string, Budget>;

const failures: string[] = [];
for (const [id, budget] of Object.entries(budgets)) {
  const figure = results.figures.find((f) => f.id === id);
  if (!figure) {
    failures.push(`${id}: missing from latest.json (did its part run?)`);
    continue;
  }
  const actual = bounded(figure);
  const shown = figure.ratio === undefined ? `${actual} ${figure.unit}` : `${actual}×`;
  const ok = actual <= budget.max;
  console.log(`${ok ? 'ok  ' : 'OVER'}  ${id.padEnd(24)} ${shown.padStart(12)}  budget ≤ ${budget.max}  (${budget.why})`);
  if (!ok) failures.push(`${id}: ${shown} is over its budget of ${budget.max}`);
}

console.log(`\nlatest.json from ${results.ranAt} on ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}`);
if (failures.length > 0) {
  console.error(`\n${failures.length} budget(s) broken:\n- ${failures.join('\n- ')}`);
  process.exitCode = 1;
}
