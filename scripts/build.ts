// `npm run build`: one self-contained ESM bundle per Lambda function, with source maps.
// Each bundle runs with no node_modules beside it, as in the Lambda image.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

export const functions = [
  { name: 'http', entry: 'services/http/handler.ts' },
  { name: 'worker', entry: 'services/worker/handler.ts' },
] as const;

// Koa and friends are CommonJS and call require() for Node built-ins; an ESM bundle needs one.
const banner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

await mkdir('dist', { recursive: true });
for (const fn of functions.filter((f) => existsSync(f.entry))) {
  const started = performance.now();
  const result = await build({
    entryPoints: [fn.entry],
    outfile: `dist/${fn.name}.mjs`,
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
  await writeFile(`dist/${fn.name}.meta.json`, JSON.stringify(result.metafile));
  const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`built dist/${fn.name}.mjs  ${(bytes / 1024).toFixed(0)} KiB  in ${Math.round(performance.now() - started)} ms`);
}
