import { resolve } from 'node:path';
import { makeApiGatewayV2Event } from '../test/factories/api-gateway.ts';
import { runNode } from './child.ts';
import { webhookBatch } from './events.ts';
import type { FloorBundles } from './floor.ts';
import { lambdaEnv } from './lambda-runtime.ts';
import type { Figure } from './report.ts';
import { median, ratio, round } from './stats.ts';

const runs = 15;

// What Lambda does in a fresh execution environment: import the handler module, then invoke
// it once. The child exits as soon as the first event is handled; the parent times it.
const driver = `
const [, bundle, event] = process.argv;
const { handler } = await import(bundle);
const deadline = Date.now() + 30000;
const context = { awsRequestId: 'cold-start', functionName: 'bench', memoryLimitInMB: '512', getRemainingTimeInMillis: () => deadline - Date.now() };
const result = await handler(JSON.parse(event), context);
process.stderr.write('BENCH_RESULT ' + JSON.stringify(result) + '\\n');
process.exit(0);
`;

interface Subject {
  name: string;
  args: string[];
  check?: (result: unknown) => boolean;
}

const healthEvent = JSON.stringify(makeApiGatewayV2Event({ path: '/health' }));
const batchEvent = JSON.stringify(webhookBatch(10));
const answered200 = (result: unknown) => (result as { statusCode?: number } | undefined)?.statusCode === 200;
const acknowledgedAll = (result: unknown) => (result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length === 0;

/**
 * Cold start: fresh process → import → first event handled, for each bundle, its floor and
 * bare `node -e 0`, interleaved round by round so drift on a shared machine hits all alike.
 */
export async function measureColdStart(floors: FloorBundles, progress: (line: string) => void): Promise<Figure[]> {
  const subjects: Subject[] = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'floor http', args: ['--input-type=module', '-e', driver, floors.http, healthEvent], check: answered200 },
    { name: 'dist/http.mjs', args: ['--input-type=module', '-e', driver, resolve('dist/http.mjs'), healthEvent], check: answered200 },
    { name: 'floor worker', args: ['--input-type=module', '-e', driver, floors.worker, batchEvent], check: acknowledgedAll },
    { name: 'dist/worker.mjs', args: ['--input-type=module', '-e', driver, resolve('dist/worker.mjs'), batchEvent], check: acknowledgedAll },
  ];

  const samples = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  // Round 0 warms the file cache and is not counted.
  for (let round = 0; round <= runs; round++) {
    for (const subject of subjects) {
      const { wallMs, result } = await runNode(subject.args, lambdaEnv);
      if (subject.check && !subject.check(result)) throw new Error(`${subject.name} did not handle its first event: ${JSON.stringify(result)}`);
      if (round > 0) samples.get(subject.name)!.push(wallMs);
    }
    if (round > 0) progress(`cold start  round ${round}/${runs}  ${subjects.map((s) => `${s.name} ${Math.round(samples.get(s.name)!.at(-1)!)} ms`).join(', ')}`);
  }

  const m = (name: string) => round(median(samples.get(name)!));
  const node = m('node -e 0');
  const figures: Figure[] = [{ id: 'coldStart.node', part: 'cold start', label: 'node -e 0', value: node, unit: 'ms' }];
  for (const kind of ['http', 'worker'] as const) {
    const floor = m(`floor ${kind}`);
    const bundle = `dist/${kind}.mjs`;
    const event = kind === 'http' ? 'v2 GET /health' : '10-record batch';
    figures.push({ id: `coldStart.floor.${kind}`, part: 'cold start', label: `floor ${kind} (Koa alone), ${event}`, value: floor, unit: 'ms', floor: node, ratio: ratio(floor, node) });
    const value = m(bundle);
    figures.push({ id: `coldStart.${kind}`, part: 'cold start', label: `${bundle}, ${event}`, value, unit: 'ms', floor, ratio: ratio(value, floor), target: 1.5 });
    figures.push({ id: `coldStart.${kind}.net`, part: 'cold start', label: `${bundle} minus node boot`, value: round(value - node), unit: 'ms', floor: round(floor - node), ratio: ratio(value - node, floor - node) });
  }
  return figures;
}
