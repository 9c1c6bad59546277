import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { bundle } from '../scripts/bundle.ts';

export interface FloorBundles {
  http: string;
  worker: string;
  metafile: Metafile;
}

/**
 * Bundles the floor entries (Koa alone, see bench/floor/) into `dir`, a folder with no
 * node_modules beside it, exactly as scripts/build.ts bundles ours into dist/.
 */
export async function buildFloorBundles(dir: string): Promise<FloorBundles> {
  const metafile = await bundle({ 'http-floor': 'bench/floor/http-floor.ts', 'worker-floor': 'bench/floor/worker-floor.ts' }, dir);
  return { http: join(dir, 'http-floor.mjs'), worker: join(dir, 'worker-floor.mjs'), metafile };
}
