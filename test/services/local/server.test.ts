import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { waitFor } from './helpers.ts';

type Line = Record<string, unknown>;

/** `npm start` as a user runs it, on free ports of 127.0.0.1; its JSON log lines are collected. */
function start(args: string[] = [], env: Record<string, string> = {}): { child: ChildProcess; lines: Line[]; stderr: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/local/server.ts', ...args], {
    env: { ...process.env, PORT: '0', LOCAL_QUEUE_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', QUEUE_URL: '', LOCAL_MODE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line) as Line));
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  return { child, lines, stderr };
}

const find = (lines: Line[], message: string, where: Line = {}) =>
  lines.find((l) => l.message === message && Object.entries(where).every(([k, v]) => l[k] === v));

describe('npm start (services/local/server.ts)', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it('answers a webhook 202, then logs the worker handling it, and exits 0 on SIGINT', async function () {
    this.timeout(30_000);
    const run = start();
    child = run.child;

    const listening = await waitFor('the listening line', () => find(run.lines, 'listening'), 20_000);
    const queueReady = find(run.lines, 'queue ready');
    const response = await fetch(`${String(listening.url)}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1}' });
    const { messageId } = (await response.json()) as { messageId: string };
    const handled = await waitFor('the worker line', () => find(run.lines, 'queue record', { messageId }));
    child.kill('SIGINT');
    const [code] = (await once(child, 'close')) as [number];

    expect(response.status).to.equal(202);
    expect(listening.mode).to.equal('queued');
    expect(String(queueReady?.queue)).to.match(/^fauxqs in process at http:\/\/127\.0\.0\.1:\d+$/);
    expect([handled.function, handled.outcome, handled.status, handled.path]).to.deep.equal(['worker', 'done', 200, '/webhook']);
    expect(find(run.lines, 'shutting down', { signal: 'SIGINT' })).to.not.equal(undefined);
    expect(code).to.equal(0);
  });

  it('serves webhook POSTs straight from the app with --direct', async function () {
    this.timeout(30_000);
    const run = start(['--direct']);
    child = run.child;

    const listening = await waitFor('the listening line', () => find(run.lines, 'listening'), 20_000);
    const response = await fetch(`${String(listening.url)}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1}' });

    expect([listening.mode, response.status, find(run.lines, 'queue ready')]).to.deep.equal(['direct', 200, undefined]);
    expect(await response.json()).to.include({ received: true, bytes: 8 });
  });

  it('exits 1 naming every configuration problem', async function () {
    this.timeout(30_000);
    const run = start([], { LOCAL_MODE: 'sideways', QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/standard' });
    child = run.child;

    const [code] = (await once(run.child, 'close')) as [number];

    expect(code).to.equal(1);
    expect(run.stderr.filter((line) => line.startsWith('- '))).to.deep.equal([
      '- LOCAL_MODE must be queued or direct (got "sideways")',
      '- QUEUE_URL must be the URL of a FIFO queue, ending in .fifo (got "https://sqs.eu-west-1.amazonaws.com/123456789012/standard")',
    ]);
  });
});
