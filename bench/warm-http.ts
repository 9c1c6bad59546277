import { runProbe } from './child.ts';
import type { Figure } from './report.ts';
import { ratio } from './stats.ts';
import type { Throughput } from './timing.ts';

/** Warm HTTP path, measured in its own process (bench/probes/warm-http.ts) of the Node binary `node`. */
export async function measureWarmHttp(progress: (line: string) => void, node = process.execPath): Promise<Figure[]> {
  const result = await runProbe<Record<'v1' | 'v2' | 'inject', Throughput>>('bench/probes/warm-http.ts', { LOG_LEVEL: 'info' }, node);
  const { inject } = result;
  progress(`warm http   ${(['v1', 'v2', 'inject'] as const).map((k) => `${k} ${result[k].perSecond.toLocaleString('en-US')} ev/s`).join(', ')}`);

  const figures: Figure[] = [
    { id: 'warmHttp.inject', part: 'warm http', label: 'direct injection (light-my-request), per event', value: inject.meanUs, unit: 'µs', note: note(inject) },
  ];
  for (const version of ['v1', 'v2'] as const) {
    const t = result[version];
    figures.push({ id: `warmHttp.${version}`, part: 'warm http', label: `${version} event through the handler, per event`, value: t.meanUs, unit: 'µs', floor: inject.meanUs, ratio: ratio(t.meanUs, inject.meanUs), target: 2, note: note(t) });
  }
  return figures;
}

function note(t: Throughput): string {
  return `${t.perSecond.toLocaleString('en-US')} ev/s, p50 ${t.p50Us} µs, p99 ${t.p99Us} µs`;
}
