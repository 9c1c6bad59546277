// `npm run bench` (after `npm run build`): every figure next to its floor, measured in the same
// run, three tables at the end (figures, cold starts, costs), and bench/results/latest.json for
// `npm run bench:check`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureBundles } from './bundle-size.ts';
import { measureColdStart, type NodeBinary } from './cold-start.ts';
import { measureCost } from './cost.ts';
import { runProbe } from './child.ts';
import { measureFifo } from './fifo.ts';
import { buildFloorBundles } from './floor.ts';
import { measureMemory } from './memory.ts';
import { node22 } from './node22.ts';
import { measurePipeline } from './pipeline.ts';
import { describeMachine, formatByColumn, formatTable, type Figure, type Results } from './report.ts';
import { measureWarmHttp } from './warm-http.ts';

const started = performance.now();
const progress = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
const figures: Figure[] = [];
// Floor bundles and bundled probes live outside the repo, with no node_modules beside them.
const workDir = await mkdtemp(join(tmpdir(), 'bench-'));

try {
  progress('building the floor bundles (Koa alone)');
  const floors = await buildFloorBundles(workDir);

  const bundles = measureBundles(floors);
  figures.push(...bundles.figures);
  for (const b of bundles.contents) progress(`bundle      ${b.bundle} ${b.kib} KiB: ${b.largest.map((l) => `${l.name} ${l.kib}`).join(', ')}`);

  const nodes: NodeBinary[] = [
    { name: 'node20', path: process.execPath, version: process.version },
    { name: 'node22', ...(await node22(progress)) },
  ];
  figures.push(...(await measureColdStart(floors, nodes, progress)));
  // Warm paths on each Node: targets hold on Node 22, what Lambda runs; Node 20 must not regress.
  for (const node of nodes) {
    const http = await measureWarmHttp(progress, node.path);
    const worker = await runProbe<Figure[]>('bench/probes/warm-worker.ts', {}, node.path);
    progress(`warm worker ${node.name}: ${worker.map((f) => f.note).join('; ')}`);
    figures.push(...[...http, ...worker].map((f) => onNode(f, node, node === nodes.at(-1))));
  }
  // The bill, from the worker's time per message on the production runtime.
  const cost = await measureCost(figures.find((f) => f.id === 'warmWorker.batch10')!.value);
  figures.push(...cost.figures);
  figures.push(...(await measureMemory(workDir, progress)));
  figures.push(...(await measurePipeline(progress)));
  figures.push(...(await measureFifo(progress)));

  const results: Results = {
    ranAt: new Date().toISOString(),
    machine: describeMachine(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    figures,
    bundles: bundles.contents,
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/latest.json', JSON.stringify(results, null, 2) + '\n');

  const { machine } = results;
  const coldStart = (f: Figure) => f.id.startsWith('coldStart.');
  console.log(`\n${formatTable(figures.filter((f) => !coldStart(f)))}\n`);
  console.log(`Cold start (Lambda runs Node 22; medians of interleaved runs):\n\n${formatByColumn(figures, 'coldStart.', nodes.map((n) => ({ name: n.name, title: `Node ${n.version}` })))}\n`);
  console.log(`What it costs per API flavour (USD):\n\n${cost.table}\n`);
  console.log(`${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; ${results.durationSeconds} s. Written to bench/results/latest.json.`);
} finally {
  await rm(workDir, { recursive: true, force: true });
}

/** A figure as measured on `node`: the production Node's keep their ids and targets, others get a suffix and none. */
function onNode(figure: Figure, node: NodeBinary, production: boolean): Figure {
  const part = `${figure.part}, Node ${node.version.replace(/^v/, '').split('.')[0]}`;
  if (production) return { ...figure, part };
  return { ...figure, id: `${figure.id}.${node.name}`, part, target: undefined };
}
