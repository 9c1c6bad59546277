// `npm run bench:check`: compares bench/results/latest.json with bench/budgets.json and exits
// non-zero when a figure is over its budget or missing. Not part of `npm test`: timings are
// noisy, so run it after `npm run bench` on a quiet machine.
import { existsSync, readFileSync } from 'node:fs';
import { checkBudgets, type Budget } from './budgets.ts';
import type { Results } from './report.ts';

if (!existsSync('bench/results/latest.json')) {
  console.error('No bench/results/latest.json: run `npm run bench` first.');
  process.exit(2);
}
const results = JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as Results;
const budgets = JSON.parse(readFileSync('bench/budgets.json', 'utf8')) as Record<string, Budget>;

const verdicts = checkBudgets(results.figures, budgets);
for (const v of verdicts) {
  console.log(`${v.ok ? 'ok  ' : 'OVER'}  ${v.id.padEnd(22)} ${v.shown.padStart(10)}  budget ≤ ${v.budget.max}  (${v.budget.why})`);
}
const { machine } = results;
console.log(`\nlatest.json: ${results.ranAt}, ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);

const broken = verdicts.filter((v) => !v.ok);
if (broken.length > 0) {
  console.error(`\n${broken.length} of ${verdicts.length} budgets broken: ${broken.map((v) => `${v.id} (${v.shown})`).join(', ')}`);
  process.exitCode = 1;
}
