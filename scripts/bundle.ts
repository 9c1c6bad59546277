import { build, type Metafile, type Plugin } from 'esbuild';
import { isBuiltin } from 'node:module';

// Koa and friends are CommonJS and call require() for Node built-ins; an ESM bundle needs one.
const banner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Node builds the ES module facade of a built-in by reading every export, which runs its lazy
 * getters: `import … from 'https'` loads undici (fetch, WebSocket) and `'node:crypto'` WebCrypto,
 * at cold start, for code that never runs. A `require()` reads only the properties used.
 */
const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) =>
      args.kind === 'import-statement' && isBuiltin(args.path) ? { path: args.path, namespace: 'builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/**
 * Bundles each entry into `outdir/<name>.mjs`, as every Lambda function (and every benchmark
 * floor, which must be bundled the same way) is built. What an entry imports with `import()`
 * goes to `outdir/chunks/`, read on first use rather than parsed at cold start; code shared by
 * entries too. Source maps hold positions only (no `sourcesContent`): enough to map a stack.
 */
export async function bundle(entries: Readonly<Record<string, string>>, outdir: string): Promise<Metafile> {
  const result = await build({
    entryPoints: entries,
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    mainFields: ['module', 'main'],
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false,
    minify: true,
    keepNames: true,
    metafile: true,
    // Licence notices stay in the files the image ships (a few KiB, comments cost V8 little).
    legalComments: 'eof',
    banner: { js: banner },
    plugins: [builtinsByRequire],
    logLevel: 'warning',
  });
  return result.metafile;
}

/** The output files an entry loads before its first line runs: itself and what it imports statically. */
export function startupFiles(metafile: Metafile, entryOutput: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const output = metafile.outputs[file];
    if (!output) throw new Error(`${file} is not an output of this metafile`);
    for (const i of output.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entryOutput);
  return [...seen];
}

/** The source files and packages an entry can load, statically or on first use (`import()`), by their metafile input paths. */
export function reachableInputs(metafile: { inputs: Record<string, { imports: readonly { path: string; external?: boolean }[] }> }, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.inputs[file]?.imports ?? []) if (!imported.external) visit(imported.path);
  };
  visit(entry);
  return [...seen];
}
