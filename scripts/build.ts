// `npm run build`: one self-contained ESM bundle per Lambda function, with source maps.
// Each bundle runs with no node_modules beside it, as in the Lambda image.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { bundle } from './bundle.ts';

const functions = [
  { name: 'http', entry: 'services/http/handler.ts' },
  { name: 'worker', entry: 'services/worker/handler.ts' },
] as const;

await mkdir('dist', { recursive: true });
for (const fn of functions.filter((f) => existsSync(f.entry))) {
  const started = performance.now();
  const metafile = await bundle(fn.entry, `dist/${fn.name}.mjs`);
  await writeFile(`dist/${fn.name}.meta.json`, JSON.stringify(metafile));
  const bytes = Object.values(metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`built dist/${fn.name}.mjs  ${(bytes / 1024).toFixed(0)} KiB  in ${Math.round(performance.now() - started)} ms`);
}
