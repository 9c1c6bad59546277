import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';

export interface FloorBundles {
  http: string;
  worker: string;
  metafiles: { http: Metafile; worker: Metafile };
}

// The options of scripts/build.ts, repeated: a floor bundled differently would not be a floor.
const banner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Bundles the floor entries (Koa alone, see bench/floor/) into a fresh temporary folder with
 * no node_modules beside them, as the Lambda image runs ours.
 */
export async function buildFloorBundles(): Promise<FloorBundles> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-floor-'));
  const http = await bundle('bench/floor/http-floor.ts', join(dir, 'http-floor.mjs'));
  const worker = await bundle('bench/floor/worker-floor.ts', join(dir, 'worker-floor.mjs'));
  return { http: http.outfile, worker: worker.outfile, metafiles: { http: http.metafile, worker: worker.metafile } };
}

async function bundle(entry: string, outfile: string): Promise<{ outfile: string; metafile: Metafile }> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    minify: true,
    keepNames: true,
    metafile: true,
    legalComments: 'linked',
    banner: { js: banner },
    logLevel: 'warning',
  });
  return { outfile, metafile: result.metafile };
}
