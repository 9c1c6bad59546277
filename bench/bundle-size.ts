import { readFileSync } from 'node:fs';
import type { Metafile } from 'esbuild';
import type { FloorBundles } from './floor.ts';
import type { BundleContents, Figure } from './report.ts';
import { ratio, round } from './stats.ts';

/** Bundle sizes and what dominates them, from esbuild's metafiles, next to the floor bundles. */
export function measureBundles(floors: FloorBundles): { figures: Figure[]; contents: BundleContents[] } {
  const figures: Figure[] = [];
  const contents: BundleContents[] = [];
  for (const kind of ['http', 'worker'] as const) {
    const floor = summarizeMetafile(`floor ${kind}`, floors.metafiles[kind]);
    contents.push(floor);
    const ours = summarizeMetafile(`dist/${kind}.mjs`, JSON.parse(readFileSync(`dist/${kind}.meta.json`, 'utf8')) as Metafile);
    contents.push(ours);
    const largest = ours.largest.slice(0, 3).map((l) => `${l.name} ${Math.round(l.kib)}`).join(', ');
    figures.push({ id: `bundle.${kind}`, part: 'bundle size', label: ours.bundle, value: ours.kib, unit: 'KiB', floor: floor.kib, ratio: ratio(ours.kib, floor.kib), note: `largest: ${largest} KiB` });
  }
  return { figures, contents };
}

/** Size of a bundle and its five largest contributors, from esbuild's metafile. */
export function summarizeMetafile(bundle: string, metafile: Metafile): BundleContents {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  if (!output) throw new Error(`metafile of ${bundle} has no entry point output`);
  const bySource = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const name = sourceName(path);
    bySource.set(name, (bySource.get(name) ?? 0) + input.bytesInOutput);
  }
  const largest = [...bySource]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, bytes]) => ({ name, kib: round(bytes / 1024) }));
  return { bundle, kib: round(output.bytes / 1024), largest };
}

/** `node_modules/@scope/pkg/x.js` → `@scope/pkg` (innermost package); `shared/app.ts` → `shared`. */
function sourceName(path: string): string {
  const packages = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  return packages.at(-1)?.[1] ?? path.split('/')[0] ?? path;
}
