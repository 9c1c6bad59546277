import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { bundle } from '../scripts/bundle.ts';

export interface FloorBundles {
  http: string;
  worker: string;
  metafiles: { http: Metafile; worker: Metafile };
}

/**
 * Bundles the floor entries (Koa alone, see bench/floor/) into `dir`, a folder with no
 * node_modules beside it, as the Lambda image runs ours.
 */
export async function buildFloorBundles(dir: string): Promise<FloorBundles> {
  const http = join(dir, 'http-floor.mjs');
  const worker = join(dir, 'worker-floor.mjs');
  const metafiles = {
    http: await bundle('bench/floor/http-floor.ts', http),
    worker: await bundle('bench/floor/worker-floor.ts', worker),
  };
  return { http, worker, metafiles };
}
