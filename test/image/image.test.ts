import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { makeApiGatewayV1Event, makeApiGatewayV2Event } from '../../factories/api-gateway.ts';
import { makeLambdaContext } from '../../factories/lambda-context.ts';
import { ensureBuilt } from '../helpers/build.ts';
import { copyIntoTaskRoot, parseDockerfile, runtimeCopyPlan } from '../helpers/dockerfile.ts';
import { resolveHandler } from '../helpers/lambda-handler.ts';

// `docker build` cannot run on our machines, so this does what the Dockerfile's steps do:
// the build stage's inputs exist and its commands are real scripts; the runtime stage's
// COPY takes the built entries and their chunks alone into a task root with no node_modules,
// and every handler string (image command, README) resolves there as the Lambda runtime
// resolves it.
const instructions = parseDockerfile('Dockerfile');
const stages = instructions.filter((i) => i.keyword === 'FROM');
const finalStage = stages.length - 1;

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

function handlerStrings(): string[] {
  const cmd = instructions.find((i) => i.stage === finalStage && i.keyword === 'CMD');
  const fromImage = (JSON.parse(cmd?.args ?? '[]') as string[])[0];
  const fromReadme = [...readFileSync('README.md', 'utf8').matchAll(/\["(\w+\.handler)"\]/g)].map((m) => m[1]);
  return [...new Set([fromImage, ...fromReadme].filter((h): h is string => typeof h === 'string'))];
}

describe('Dockerfile', () => {
  let taskRoot: string;

  before(() => {
    ensureBuilt(['dist/http.mjs', 'dist/worker.mjs', 'dist/server.mjs']);
    taskRoot = mkdtempSync(join(tmpdir(), 'lambda-task-root-'));
    copyIntoTaskRoot(instructions, taskRoot);
    process.env.LOG_LEVEL = 'error';
  });

  after(() => {
    delete process.env.LOG_LEVEL;
    rmSync(taskRoot, { recursive: true, force: true });
  });

  it('builds in one stage and runs on the AWS Lambda Node.js 22 base image', () => {
    expect(stages.map((s) => s.args)).to.have.length(2);
    expect(stages[finalStage]?.args).to.equal('public.ecr.aws/lambda/nodejs:22');
  });

  it('copies only files that exist into the build stage and runs only real npm scripts', () => {
    const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: object }).scripts);
    const buildCopies = instructions.filter((i) => i.stage === 0 && i.keyword === 'COPY');
    const runs = instructions.filter((i) => i.stage === 0 && i.keyword === 'RUN').map((i) => i.args);

    const sources = buildCopies.flatMap((c) => c.args.split(/\s+/).slice(0, -1));
    const missing = sources.filter((source) => !existsSync(source));
    const unknownScripts = runs.flatMap((run) => [...run.matchAll(/npm run (\S+)/g)].map((m) => m[1])).filter((s) => !scripts.includes(s!));

    expect(missing).to.deep.equal([]);
    expect(unknownScripts).to.deep.equal([]);
    expect(runs).to.include.members(['npm ci --no-audit --no-fund', 'npm run build']);
  });

  it('copies the entries, their chunks and the source maps, and nothing else, into the task root', () => {
    const built = filesUnder('dist').filter((file) => file !== 'meta.json');

    expect(runtimeCopyPlan(instructions)).to.deep.equal([
      { sources: ['dist/http.mjs', 'dist/http.mjs.map', 'dist/worker.mjs', 'dist/worker.mjs.map', 'dist/server.mjs', 'dist/server.mjs.map'], target: '' },
      { sources: ['dist/chunks'], target: 'chunks' },
    ]);
    expect(filesUnder(taskRoot)).to.deep.equal(built);
    expect(built.filter((file) => file.startsWith('chunks/') && file.endsWith('.mjs'))).to.not.be.empty;
  });

  it('sets no NODE_OPTIONS: --enable-source-maps would parse every loaded map at cold start', () => {
    const env = instructions.filter((i) => i.stage === finalStage && i.keyword === 'ENV').map((i) => i.args);

    expect(env.join(' ')).not.to.include('NODE_OPTIONS');
  });

  it('names handler strings that resolve to exported functions in the task root', async () => {
    const handlers = handlerStrings();

    const resolved = await Promise.all(handlers.map(async (h) => typeof (await resolveHandler(taskRoot, h))));

    expect(handlers).to.include.members(['http.handler', 'worker.handler']);
    expect(resolved.every((type) => type === 'function')).to.equal(true);
  });

  describe('http.handler from the task root', () => {
    const sha256 = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

    it('answers GET /health with 200 JSON for v1 and v2 events', async () => {
      const handler = await resolveHandler(taskRoot, 'http.handler');

      const results = (await Promise.all([
        handler(makeApiGatewayV1Event({ path: '/health' }), makeLambdaContext()),
        handler(makeApiGatewayV2Event({ path: '/health' }), makeLambdaContext()),
      ])) as { statusCode: number; body: string }[];

      expect(results.map((r) => r.statusCode)).to.deep.equal([200, 200]);
      expect(results.map((r) => (JSON.parse(r.body) as { status: string }).status)).to.deep.equal(['ok', 'ok']);
    });

    const bodies: [string, string][] = [
      ['application/json', '{"id":"evt_1","amount":1999,"currency":"eur"}'],
      ['application/x-www-form-urlencoded', 'Body=2%2B2+%26+50%25+off&From=%2B447700900123'],
      ['text/plain; charset=utf-8', 'Überweisung: 42 € ✓ 東京'],
    ];
    for (const [contentType, body] of bodies) {
      it(`answers the SHA-256 of a ${contentType.split(';')[0]} body`, async () => {
        const handler = await resolveHandler(taskRoot, 'http.handler');

        const result = (await handler(makeApiGatewayV2Event({ method: 'POST', path: '/webhook', headers: { 'content-type': contentType }, body }), makeLambdaContext())) as { body: string };

        expect(JSON.parse(result.body)).to.include({ sha256: sha256(body), bytes: Buffer.byteLength(body) });
      });
    }
  });
});
