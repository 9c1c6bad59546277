import { resolve } from 'node:path';
import { makeApiGatewayV2Event } from '../factories/api-gateway.ts';
import { resultMarker, runNode } from './child.ts';
import { webhookBatch } from './events.ts';
import type { FloorBundles } from './floor.ts';
import { functionMemoryMB, lambdaEnv, lambdaV8Flags } from './lambda-runtime.ts';
import type { Figure } from './report.ts';
import { median, ratio, round } from './stats.ts';

const runs = 15;

// What Lambda does in a fresh execution environment: import the handler module, then invoke
// it once. The child exits as soon as the first event is handled; the parent times it. The
// child reports the event's answer and its peak RSS.
const driver = `
const [, bundle, event] = process.argv;
const { handler } = await import(bundle);
const deadline = Date.now() + 30000;
const context = { awsRequestId: 'cold-start', functionName: 'bench', memoryLimitInMB: '512', getRemainingTimeInMillis: () => deadline - Date.now() };
const result = await handler(JSON.parse(event), context);
process.stderr.write(${JSON.stringify(resultMarker)} + JSON.stringify({ result, maxRssKiB: process.resourceUsage().maxRSS }) + '\\n');
process.exit(0);
`;

export interface NodeBinary {
  /** Column name: `node20`, `node22`. */
  name: string;
  path: string;
  version: string;
}

interface Subject {
  /** Row of the cold-start table, e.g. `http`, `floor.http`. */
  row: string;
  node: NodeBinary;
  args: string[];
  env?: Record<string, string>;
  check?: (result: unknown) => boolean;
}

interface Sample {
  wallMs: number;
  rssMiB: number;
}

const healthEvent = JSON.stringify(makeApiGatewayV2Event({ path: '/health' }));
const batchEvent = JSON.stringify(webhookBatch(10));
const answered200 = (result: unknown) => (result as { statusCode?: number } | undefined)?.statusCode === 200;
const acknowledgedAll = (result: unknown) => (result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length === 0;

const kinds = {
  http: { event: healthEvent, check: answered200, label: 'v2 GET /health' },
  worker: { event: batchEvent, check: acknowledgedAll, label: '10-record batch' },
} as const;

/**
 * Cold start: fresh process → import → first event handled, for each bundle, its floor and
 * bare `node -e 0`, on each Node given, with the V8 limits Lambda sets for the function's
 * memory; interleaved round by round so drift on a shared machine hits all alike. The last
 * Node is the production runtime: there ours also runs with `--enable-source-maps`, to show
 * what leaving it out of the image buys.
 */
export async function measureColdStart(floors: FloorBundles, nodes: NodeBinary[], progress: (line: string) => void): Promise<Figure[]> {
  const production = nodes.at(-1)!;
  const subjects: Subject[] = nodes.flatMap((node) => [
    { row: 'node', node, args: ['-e', '0'] },
    ...(['http', 'worker'] as const).flatMap((kind): Subject[] => {
      const { event, check } = kinds[kind];
      const flags = lambdaV8Flags(functionMemoryMB[kind]);
      const run = (file: string) => [...flags, '--input-type=module', '-e', driver, file, event];
      return [
        { row: `floor.${kind}`, node, args: run(floors[kind]), check },
        { row: kind, node, args: run(resolve(`dist/${kind}.mjs`)), check },
        ...(node === production ? [{ row: `${kind}.sourceMaps`, node, args: run(resolve(`dist/${kind}.mjs`)), env: { NODE_OPTIONS: '--enable-source-maps' }, check }] : []),
      ];
    }),
  ]);

  const key = (s: Subject) => `${s.row}.${s.node.name}`;
  const samples = new Map<string, Sample[]>(subjects.map((s) => [key(s), []]));
  // Round 0 warms the file cache and is not counted.
  for (let round = 0; round <= runs; round++) {
    for (const subject of subjects) {
      const { wallMs, result } = await runNode<{ result: unknown; maxRssKiB: number }>(subject.args, { ...lambdaEnv, ...subject.env }, 120_000, subject.node.path);
      if (subject.check && !subject.check(result?.result)) throw new Error(`${subject.row} on ${subject.node.name} did not handle its first event: ${JSON.stringify(result)}`);
      if (round > 0) samples.get(key(subject))!.push({ wallMs, rssMiB: (result?.maxRssKiB ?? 0) / 1024 });
    }
    if (round > 0) progress(`cold start  round ${round}/${runs}  ${nodes.map((node) => `${node.name}: ${['http', 'worker'].map((row) => `${row} ${Math.round(samples.get(`${row}.${node.name}`)!.at(-1)!.wallMs)} ms`).join(', ')}`).join('; ')}`);
  }

  const ms = (row: string, node: NodeBinary) => round(median(samples.get(`${row}.${node.name}`)!.map((s) => s.wallMs)));
  const rss = (row: string, node: NodeBinary) => round(median(samples.get(`${row}.${node.name}`)!.map((s) => s.rssMiB)));
  const figures: Figure[] = [];
  for (const node of nodes) {
    const part = `cold start, Node ${node.version}`;
    const boot = ms('node', node);
    const target = (value: number) => (node === production ? { target: value } : {});
    figures.push({ id: `coldStart.${node.name}.node`, part, label: 'node -e 0', value: boot, unit: 'ms' });
    for (const kind of ['http', 'worker'] as const) {
      const { label } = kinds[kind];
      const floor = ms(`floor.${kind}`, node);
      const value = ms(kind, node);
      figures.push(
        { id: `coldStart.${node.name}.floor.${kind}`, part, label: `floor ${kind} (Koa alone), ${label}`, value: floor, unit: 'ms', floor: boot, ratio: ratio(floor, boot) },
        { id: `coldStart.${node.name}.${kind}`, part, label: `dist/${kind}.mjs, ${label}`, value, unit: 'ms', floor, ratio: ratio(value, floor), ...target(kind === 'http' ? 1.2 : 1.3) },
        { id: `coldStart.${node.name}.${kind}.net`, part, label: `dist/${kind}.mjs minus node boot`, value: round(value - boot), unit: 'ms', floor: round(floor - boot), ratio: ratio(value - boot, floor - boot) },
        { id: `coldStart.${node.name}.${kind}.rss`, part, label: `dist/${kind}.mjs peak RSS over the floor's`, value: round(rss(kind, node) - rss(`floor.${kind}`, node)), unit: 'MiB', ...target(15), note: `${rss(kind, node)} MiB vs ${rss(`floor.${kind}`, node)} MiB` },
      );
      if (node === production) {
        const mapped = ms(`${kind}.sourceMaps`, node);
        figures.push({ id: `coldStart.${node.name}.${kind}.sourceMaps`, part, label: `dist/${kind}.mjs with NODE_OPTIONS=--enable-source-maps (not set in the image)`, value: mapped, unit: 'ms', floor, ratio: ratio(mapped, floor) });
      }
    }
  }
  return figures;
}
