import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import fc from 'fast-check';
import { bundle } from '../../scripts/bundle.ts';
import { mapStack } from '../../shared/stack-trace.ts';

// A bundle built as the Lambda bundles are (scripts/bundle.ts), run by plain node: under tsx
// (which turns Node's source maps on) mapStack has nothing to do.
const fixture = `import { mapStack } from ${JSON.stringify(resolve('shared/stack-trace.ts'))};

function failDeepInside(): never {
  throw new Error('boom');
}

export function report(): void {
  try {
    failDeepInside();
  } catch (error) {
    const raw = (error as Error).stack ?? '';
    const other = 'Error: x\\n    at f (/nowhere/plain.js:1:2)\\n    at async Promise.all (index 0)\\n    at g (node:internal/x:3:4)';
    process.stdout.write(JSON.stringify({ raw, mapped: mapStack(raw), other: mapStack(other), sourceMapsEnabled: process.sourceMapsEnabled }));
  }
}
report();
`;

interface FixtureRun {
  raw: string;
  mapped: string;
  other: string;
  sourceMapsEnabled: boolean;
}

describe('mapStack', () => {
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stack-trace-'));
    writeFileSync(join(dir, 'fixture.ts'), fixture);
    await bundle({ fixture: join(dir, 'fixture.ts') }, join(dir, 'out'));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (nodeOptions: string[] = []): Promise<FixtureRun> => {
    const { stdout } = await promisify(execFile)(process.execPath, [...nodeOptions, join(dir, 'out', 'fixture.mjs')], { env: { PATH: process.env.PATH } });
    return JSON.parse(stdout) as FixtureRun;
  };

  it('maps each bundle frame to its source file, line and column, reading the map only then', async () => {
    const { raw, mapped, sourceMapsEnabled } = await run();

    expect(sourceMapsEnabled).to.equal(false);
    expect(raw).to.match(/fixture\.mjs:\d+:\d+/);
    expect(mapped.split('\n')[0]).to.equal('Error: boom');
    expect(mapped).to.match(/\n {4}at \S+ \(fixture\.ts:4:9\)\n/);
    expect(mapped).to.match(/\n {4}at \S+ \(fixture\.ts:9:5\)\n/);
    expect(mapped).not.to.include('fixture.mjs');
  });

  it('leaves lines that are no frames, and frames of files with no map, as they are', async () => {
    const { other } = await run();

    expect(other).to.equal('Error: x\n    at f (/nowhere/plain.js:1:2)\n    at async Promise.all (index 0)\n    at g (node:internal/x:3:4)');
  });

  it('returns the stack as Node wrote it when Node maps stacks itself (--enable-source-maps)', async () => {
    const { raw, mapped, sourceMapsEnabled } = await run(['--enable-source-maps']);

    expect(sourceMapsEnabled).to.equal(true);
    expect(raw).to.include('fixture.ts:4:9');
    expect(mapped).to.equal(raw);
  });

  it('never throws and keeps every line count, whatever the text', () => {
    const enabled = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    try {
      const frameLike = fc.tuple(fc.string(), fc.constantFrom('file:///', '/', 'file:///nowhere/'), fc.string(), fc.nat(), fc.nat())
        .map(([name, prefix, path, line, column]) => `    at ${name} (${prefix}${path}.mjs:${line}:${column})`);
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.string({ maxLength: 200 }), frameLike), { maxLength: 50 }), (lines) => {
          const stack = lines.join('\n');
          expect(mapStack(stack).split('\n')).to.have.length(stack.split('\n').length);
        }),
      );
    } finally {
      process.setSourceMapsEnabled(enabled);
    }
  });
});
