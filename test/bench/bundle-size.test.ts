import { expect } from 'chai';
import type { Metafile } from 'esbuild';
import { summarizeMetafile } from '../../bench/bundle-size.ts';

function makeMetafile(inputs: Record<string, number>, bytes: number): Metafile {
  return {
    inputs: {},
    outputs: {
      'dist/http.mjs.map': { bytes: 9999, inputs: {}, imports: [], exports: [] },
      'dist/http.mjs': {
        bytes,
        entryPoint: 'services/http/handler.ts',
        inputs: Object.fromEntries(Object.entries(inputs).map(([path, bytesInOutput]) => [path, { bytesInOutput }])),
        imports: [],
        exports: ['handler'],
      },
    },
  };
}

describe('summarizeMetafile', () => {
  it('adds up the output bytes per npm package (the innermost one when nested) and per own folder', () => {
    const metafile = makeMetafile(
      {
        'node_modules/mime-db/db.json': 150 * 1024,
        'node_modules/accepts/node_modules/mime-db/db.json': 130 * 1024,
        'node_modules/@aws-sdk/client-sqs/dist-es/index.js': 40 * 1024,
        'node_modules/@aws-sdk/client-sqs/dist-es/commands.js': 20 * 1024,
        'shared/app.ts': 2 * 1024,
        'shared/body.ts': 1024,
        'services/http/handler.ts': 512,
        'node_modules/koa/lib/application.js': 15 * 1024,
        'node_modules/ms/index.js': 1024,
      },
      400 * 1024,
    );

    expect(summarizeMetafile('dist/http.mjs', metafile)).to.deep.equal({
      bundle: 'dist/http.mjs',
      kib: 400,
      largest: [
        { name: 'mime-db', kib: 280 },
        { name: '@aws-sdk/client-sqs', kib: 60 },
        { name: 'koa', kib: 15 },
        { name: 'shared', kib: 3 },
        { name: 'ms', kib: 1 },
      ],
    });
  });
});
