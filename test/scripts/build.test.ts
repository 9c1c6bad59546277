import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Metafile } from 'esbuild';
import { reachableInputs, startupFiles } from '../../scripts/bundle.ts';
import { ensureBuilt } from '../helpers/build.ts';

// What `npm run build` wrote to dist/, read from esbuild's own account of it (dist/meta.json).
describe('npm run build', () => {
  let metafile: Metafile;
  const code = () => Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
  const packageOf = (input: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(input)?.[1];

  before(() => {
    ensureBuilt(['dist/http.mjs', 'dist/worker.mjs', 'dist/server.mjs', 'dist/meta.json']);
    metafile = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as Metafile;
  });

  for (const entry of ['dist/http.mjs', 'dist/worker.mjs']) {
    it(`keeps the AWS SDK off the cold start of ${entry}: it loads on first use`, () => {
      const startup = startupFiles(metafile, entry);
      const sdk = startup.flatMap((file) => Object.keys(metafile.outputs[file]!.inputs)).filter((input) => /^@(aws-sdk|smithy)\//.test(packageOf(input) ?? ''));
      const lazy = Object.keys(metafile.outputs).filter((file) => !startup.includes(file) && file.endsWith('.mjs'));

      expect(startup).to.include(entry);
      expect(sdk).to.deep.equal([]);
      expect(lazy.flatMap((file) => Object.keys(metafile.outputs[file]!.inputs)).some((input) => packageOf(input) === '@aws-sdk/client-sqs')).to.equal(true);
    });
  }

  it('gives every lazily imported chunk named exports, not a CommonJS default alone', () => {
    const lazyTargets = new Set(code().flatMap(([, output]) => output.imports.filter((i) => i.kind === 'dynamic-import' && !i.external).map((i) => i.path)));
    const defaultOnly = [...lazyTargets].filter((file) => metafile.outputs[file]!.exports.join() === 'default');

    expect(lazyTargets.size).to.be.greaterThan(0);
    expect(defaultOnly).to.deep.equal([]);
  });

  it('bundles only the entries, shared/ and npm packages: nothing local-only reaches the image', () => {
    const inputs = new Set(code().flatMap(([, output]) => Object.keys(output.inputs)));
    const foreign = [...inputs].filter((input) => !/^(shared\/|services\/(http|worker|server)\/|node_modules\/|package\.json$|builtin:)/.test(input));

    expect([...inputs].some((input) => input.startsWith('services/worker/'))).to.equal(true);
    expect(foreign).to.deep.equal([]);
  });

  const reachable = (entry: string): string[] => reachableInputs(metafile, entry);

  it('keeps the queue consumer and the gateway out of the Lambda functions, and npm start out of the server', () => {
    const serverOnly = (file: string) => /^services\/server\/(consumer|gateway|service)\.ts$/.test(file);
    const localOnly = (file: string) => file.startsWith('services/local/') || packageOf(file) === 'fauxqs';

    expect(reachable('services/http/handler.ts').filter(serverOnly)).to.deep.equal([]);
    expect(reachable('services/worker/handler.ts').filter(serverOnly)).to.deep.equal([]);
    expect(reachable('services/server/server.ts').filter(serverOnly).sort()).to.deep.equal(['services/server/consumer.ts', 'services/server/gateway.ts', 'services/server/service.ts']);
    expect(reachable('services/server/server.ts').filter(localOnly)).to.deep.equal([]);
  });

  it('reads Node built-ins with require(): an ES import of one builds a facade that runs every lazy getter', () => {
    const esImports = code().flatMap(([file, output]) => output.imports.filter((i) => i.external && i.kind === 'import-statement').map((i) => `${file}: ${i.path}`));

    expect(esImports).to.deep.equal([]);
  });
});
