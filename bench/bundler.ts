import { build, type Metafile } from 'esbuild';

// The options of scripts/build.ts, repeated: a floor bundled differently would not be a floor.
const banner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** Bundles `entry` into one self-contained ESM file exactly as `npm run build` bundles ours. */
export async function bundleLikeBuild(entry: string, outfile: string): Promise<Metafile> {
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
  return result.metafile;
}
