import { readFileSync } from 'node:fs';
import type { Metafile } from 'esbuild';
import { startupFiles } from '../scripts/bundle.ts';
import type { FloorBundles } from './floor.ts';
import type { BundleContents, Figure } from './report.ts';
import { ratio, round } from './stats.ts';

/** What each function parses at cold start, and what dominates it, next to the floor bundles. */
export function measureBundles(floors: FloorBundles): { figures: Figure[]; contents: BundleContents[] } {
  const ours = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as Metafile;
  const figures: Figure[] = [];
  const contents: BundleContents[] = [];
  for (const kind of ['http', 'worker'] as const) {
    const floor = summarizeMetafile(floors.metafile, outputOf(floors.metafile, `${kind}-floor.mjs`));
    const bundle = summarizeMetafile(ours, `dist/${kind}.mjs`);
    contents.push(floor, bundle);
    const largest = bundle.largest.slice(0, 3).map((l) => `${l.name} ${Math.round(l.kib)}`).join(', ');
    figures.push({
      id: `bundle.${kind}`,
      part: 'bundle size',
      label: `dist/${kind}.mjs and its static chunks (parsed at cold start)`,
      value: bundle.kib,
      unit: 'KiB',
      floor: floor.kib,
      ratio: ratio(bundle.kib, floor.kib),
      note: `largest: ${largest} KiB; ${Math.round(bundle.lazyKib)} KiB more on first use`,
    });
  }
  return { figures, contents };
}

/** Size of an entry's start-up files and their five largest contributors, from esbuild's metafile. */
export function summarizeMetafile(metafile: Metafile, entryOutput: string): BundleContents {
  const startup = startupFiles(metafile, entryOutput);
  const bySource = new Map<string, number>();
  for (const file of startup) {
    for (const [path, input] of Object.entries(metafile.outputs[file]!.inputs)) {
      const name = sourceName(path);
      bySource.set(name, (bySource.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  const largest = [...bySource]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, bytes]) => ({ name, kib: round(bytes / 1024) }));
  const bytes = (files: string[]) => files.reduce((sum, file) => sum + metafile.outputs[file]!.bytes, 0);
  const lazy = reachable(metafile, entryOutput).filter((file) => !startup.includes(file));
  return { bundle: entryOutput, kib: round(bytes(startup) / 1024), largest, lazyKib: round(bytes(lazy) / 1024) };
}

function outputOf(metafile: Metafile, name: string): string {
  const output = Object.keys(metafile.outputs).find((file) => file.endsWith(`/${name}`));
  if (!output) throw new Error(`no output ${name} in the metafile`);
  return output;
}

/** Every output an entry can load, now or on first use. */
function reachable(metafile: Metafile, entryOutput: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of metafile.outputs[file]!.imports) if (!i.external) visit(i.path);
  };
  visit(entryOutput);
  return [...seen];
}

/** `node_modules/@scope/pkg/x.js` → `@scope/pkg` (innermost package); `shared/app.ts` → `shared`. */
function sourceName(path: string): string {
  const packages = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  return packages.at(-1)?.[1] ?? path.split('/')[0] ?? path;
}
