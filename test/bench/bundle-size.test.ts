import { expect } from 'chai';
import type { Metafile } from 'esbuild';
import { summarizeMetafile } from '../../bench/bundle-size.ts';

type Output = Metafile['outputs'][string];

function output(bytes: number, inputs: Record<string, number>, imports: Output['imports'] = []): Output {
  return { bytes, inputs: Object.fromEntries(Object.entries(inputs).map(([path, bytesInOutput]) => [path, { bytesInOutput }])), imports, exports: [] };
}

// An entry, a chunk it imports statically (parsed at cold start) and one it imports lazily.
const metafile: Metafile = {
  inputs: {},
  outputs: {
    'dist/http.mjs': {
      ...output(100 * 1024, { 'shared/app.ts': 2 * 1024, 'shared/body.ts': 1024, 'services/http/handler.ts': 512, 'node_modules/koa/lib/application.js': 15 * 1024 }, [
        { path: 'dist/chunks/chunk-A.mjs', kind: 'import-statement' },
        { path: 'dist/chunks/dist-es-B.mjs', kind: 'dynamic-import' },
        { path: 'node:module', kind: 'import-statement', external: true },
      ]),
      entryPoint: 'services/http/handler.ts',
    },
    'dist/http.mjs.map': output(9999, {}),
    'dist/chunks/chunk-A.mjs': output(300 * 1024, {
      'node_modules/mime-db/db.json': 150 * 1024,
      'node_modules/accepts/node_modules/mime-db/db.json': 130 * 1024,
      'node_modules/ms/index.js': 1024,
    }),
    'dist/chunks/dist-es-B.mjs': output(60 * 1024, { 'node_modules/@aws-sdk/client-sqs/dist-es/index.js': 60 * 1024 }, [{ path: 'dist/chunks/chunk-A.mjs', kind: 'import-statement' }]),
  },
};

describe('summarizeMetafile', () => {
  it('adds up what an entry parses at cold start per npm package (the innermost one when nested) and per own folder', () => {
    expect(summarizeMetafile(metafile, 'dist/http.mjs')).to.deep.equal({
      bundle: 'dist/http.mjs',
      kib: 400,
      largest: [
        { name: 'mime-db', kib: 280 },
        { name: 'koa', kib: 15 },
        { name: 'shared', kib: 3 },
        { name: 'ms', kib: 1 },
        { name: 'services', kib: 0.5 },
      ],
      lazyKib: 60,
    });
  });
});
