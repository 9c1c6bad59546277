import { build, type Metafile } from 'esbuild';

// Koa and friends are CommonJS and call require() for Node built-ins; an ESM bundle needs one.
const banner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Bundles `entry` into one self-contained ESM file with a source map, as every Lambda bundle
 * (and every benchmark floor, which must be bundled the same way) is built.
 */
export async function bundle(entry: string, outfile: string): Promise<Metafile> {
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
