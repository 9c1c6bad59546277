// `npm run build`: the Lambda task root in dist/ — one ESM entry per function (http.mjs,
// worker.mjs) and, in dist/chunks/, the code they share or load on first use, with source maps.
// It runs with no node_modules beside it, as in the Lambda image; dist/meta.json describes it.
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { bundle, startupFiles } from './bundle.ts';

const functions = { http: 'services/http/handler.ts', worker: 'services/worker/handler.ts', server: 'services/server/server.ts' };

const started = performance.now();
const entries = Object.fromEntries(Object.entries(functions).filter(([, entry]) => existsSync(entry)));
// A stale chunk from an earlier build must not reach the image.
await rm('dist', { recursive: true, force: true });
const metafile = await bundle(entries, 'dist');
await writeFile('dist/meta.json', JSON.stringify(metafile));
const kib = (files: string[]) => Math.round(files.reduce((sum, file) => sum + metafile.outputs[file]!.bytes, 0) / 1024);
const code = Object.keys(metafile.outputs).filter((file) => file.endsWith('.mjs'));
for (const name of Object.keys(entries)) {
  console.log(`built dist/${name}.mjs  ${kib(startupFiles(metafile, `dist/${name}.mjs`))} KiB loaded at start-up`);
}
console.log(`      dist/  ${code.length} files, ${kib(code)} KiB in all, in ${Math.round(performance.now() - started)} ms`);
