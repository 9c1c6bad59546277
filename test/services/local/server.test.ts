import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { startNpm } from '../../helpers/npm-start.ts';

describe('npm start (services/local/server.ts)', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it('answers a webhook 202, then logs the worker handling it, and exits 0 on SIGINT', async function () {
    this.timeout(30_000);
    const run = startNpm();
    child = run.child;

    const url = await run.ready();
    const listening = run.find('listening');
    const queueReady = run.find('queue ready');
    const response = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1}' });
    const { messageId } = (await response.json()) as { messageId: string };
    const handled = await run.waitForLine('queue record', { messageId });
    child.kill('SIGINT');
    const code = await run.exited();

    expect(response.status).to.equal(202);
    expect(listening?.mode).to.equal('queued');
    expect(String(queueReady?.queue)).to.match(/^fauxqs in process at http:\/\/127\.0\.0\.1:\d+$/);
    expect([handled.function, handled.outcome, handled.status, handled.path]).to.deep.equal(['worker', 'done', 200, '/webhook']);
    expect(run.find('shutting down', { signal: 'SIGINT' })).to.not.equal(undefined);
    expect(code).to.equal(0);
  });

  it('serves the webhook console under /_console/ and says where, which then lists a webhook', async function () {
    this.timeout(30_000);
    const run = startNpm();
    child = run.child;

    const url = await run.ready();
    const page = await fetch(`${url}/_console/`);
    const { requestId } = (await (await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { requestId: string };
    await run.waitForLine('queue record', { requestId });
    const { deliveries } = (await (await fetch(`${url}/_console/api/deliveries`)).json()) as { deliveries: { id: string; state: string }[] };

    expect([page.status, page.headers.get('content-type'), run.find('listening')?.console]).to.deep.equal([200, 'text/html; charset=utf-8', `${url}/_console/`]);
    expect(deliveries.map((delivery) => [delivery.id, delivery.state])).to.deep.equal([[requestId, 'done']]);
  });

  it('serves webhook POSTs straight from the app with --direct', async function () {
    this.timeout(30_000);
    const run = startNpm(['--direct']);
    child = run.child;

    const url = await run.ready();
    const response = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1}' });

    expect([run.find('listening')?.mode, response.status, run.find('queue ready')]).to.deep.equal(['direct', 200, undefined]);
    expect(await response.json()).to.include({ received: true, bytes: 8 });
  });

  it('exits 1 naming every configuration problem', async function () {
    this.timeout(30_000);
    const run = startNpm([], { LOCAL_MODE: 'sideways', QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/standard' });
    child = run.child;

    const code = await run.exited();

    expect(code).to.equal(1);
    expect(run.stderr.filter((line) => line.startsWith('- '))).to.deep.equal([
      '- LOCAL_MODE must be queued or direct (got "sideways")',
      '- QUEUE_URL must be the URL of a FIFO queue, ending in .fifo (got "https://sqs.eu-west-1.amazonaws.com/123456789012/standard")',
    ]);
  });
});
