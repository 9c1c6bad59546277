import { join, resolve } from 'node:path';
import { bundle } from '../scripts/bundle.ts';
import { runNode } from './child.ts';
import { lambdaEnv, lambdaV8Flags } from './lambda-runtime.ts';
import type { MemoryReport } from './probes/memory.ts';
import type { Figure } from './report.ts';
import { round } from './stats.ts';

const lambdaMB = 128;
const lambdaFlags = lambdaV8Flags(lambdaMB);

/**
 * Memory of the worker bundle over 100,000 replayed messages in one process, as a 128 MB
 * Lambda function runs it (bench/probes/memory.ts, bundled into `dir` so that no TypeScript
 * loader sits in the heap).
 */
export async function measureMemory(dir: string, progress: (line: string) => void): Promise<Figure[]> {
  const probe = join(dir, 'memory-probe.mjs');
  await bundle({ 'memory-probe': 'bench/probes/memory.ts' }, dir);
  progress(`memory      replaying 100,000 messages through dist/worker.mjs (${lambdaFlags.join(' ')})`);
  const args = ['--expose-gc', ...lambdaFlags, probe, resolve('dist/worker.mjs')];
  const { result } = await runNode<MemoryReport>(args, lambdaEnv, 170_000);
  if (!result) throw new Error('the memory probe reported nothing');
  const { after1k, after100k } = result;
  progress(`memory      ${result.messagesPerSecond.toLocaleString('en-US')} msg/s; RSS ${after1k.rssMB} → ${after100k.rssMB} MB, heap ${after1k.heapMB} → ${after100k.heapMB} MB, peak RSS ${result.peakRssMB} MB`);

  const growth = (before: number, after: number) => round(((after - before) / before) * 100);
  return [
    { id: 'memory.rssGrowth', part: 'memory', label: 'RSS growth, 1,000 → 100,000 messages', value: growth(after1k.rssMB, after100k.rssMB), unit: '%', target: 10, note: `${after1k.rssMB} → ${after100k.rssMB} MB` },
    { id: 'memory.heapGrowth', part: 'memory', label: 'heap growth, 1,000 → 100,000 messages', value: growth(after1k.heapMB, after100k.heapMB), unit: '%', target: 10, note: `${after1k.heapMB} → ${after100k.heapMB} MB` },
    { id: 'memory.peakRss', part: 'memory', label: `peak RSS (V8 limits of a ${lambdaMB} MB function)`, value: result.peakRssMB, unit: 'MB', target: 128, note: `${result.messagesPerSecond.toLocaleString('en-US')} msg/s with a GC at each snapshot` },
  ];
}
