import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Metafile } from 'esbuild';
import { ensureBuilt } from '../../../helpers/build.ts';

// The console is part of `npm start` only: nothing of it may reach what is deployed. Every
// file `npm run build` writes to dist/ is checked (the Lambda entries, their chunks, and any
// later entry such as a container server), by esbuild's account of its inputs and by the text.
describe('the local console in the built bundles', () => {
  before(() => {
    ensureBuilt(['dist/http.mjs', 'dist/worker.mjs', 'dist/meta.json']);
  });

  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]));

  it('is in none of their inputs', () => {
    const metafile = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as Metafile;
    const inputs = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));

    expect(inputs.some((input) => input.startsWith('services/worker/'))).to.equal(true);
    expect(inputs.filter((input) => input.includes('services/local/'))).to.deep.equal([]);
  });

  it('leaves no trace in their code: not its path, its page or its signers', () => {
    const code = files('dist').filter((file) => /\.(mjs|js|cjs)$/.test(file));
    const traces = ['/_console', 'createLocalConsole', 'local webhook console', 'buildSample', 'Svix-Webhooks/1.0'];

    const found = code.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return traces.filter((trace) => text.includes(trace)).map((trace) => `${file}: ${trace}`);
    });

    expect(code).to.include.members(['dist/http.mjs', 'dist/worker.mjs']);
    expect(found).to.deep.equal([]);
  });
});
