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

  it('sends a console page its whole first snapshot, however large, rather than dropping it as a page that stopped reading', async function () {
    this.timeout(60_000);
    const run = startNpm();
    child = run.child;
    const url = await run.ready();
    // Webhooks to 12 KB paths (Node takes request lines up to 16 KiB): 360 of them list as
    // more than 4 MiB of summaries, which a new page gets in one snapshot before reading any.
    const paths = Array.from({ length: 360 }, (_, i) => `/webhook/${String(i).padStart(3, '0')}${'p'.repeat(12_000)}`);
    for (let i = 0; i < paths.length; i += 20) {
      await Promise.all(paths.slice(i, i + 20).map((path) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((response) => response.arrayBuffer())));
    }

    // Dropped, the page gets no answer at all.
    const events = await fetch(`${url}/_console/events`).catch(() => undefined);
    const reader = (events?.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() })).pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: snapshot\n') || !text.slice(text.indexOf('event: snapshot\n')).includes('\n\n')) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      text += value;
    }
    await reader.cancel();
    const data = /event: snapshot\ndata: (.*)\n\n/.exec(text)?.[1];
    const snapshot = data === undefined ? [] : (JSON.parse(data) as { path: string }[]);

    expect(snapshot.map((delivery) => delivery.path).sort()).to.deep.equal(paths);
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

  describe('Ctrl-C with webhooks on the in-process queue', () => {
    type Answer = { status: number; messageId?: string; code?: string };

    /**
     * Starts npm start, posts 400 webhooks 32 at a time and calls `interrupt` once `acceptedFirst`
     * were answered 202; resolves with every answer, the log and the exit code.
     */
    async function postAndInterrupt(acceptedFirst: number, interrupt: (child: ChildProcess) => void) {
      const run = startNpm();
      child = run.child;
      const url = await run.ready();
      const answers: Answer[] = [];
      let next = 0;
      const sender = async () => {
        while (next < 400) {
          const n = next++;
          try {
            const response = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
            const body = (await response.json()) as { messageId?: string; error?: { code: string } };
            answers.push({ status: response.status, ...(body.messageId ? { messageId: body.messageId } : {}), ...(body.error ? { code: body.error.code } : {}) });
            if (response.status === 202 && answers.filter((a) => a.status === 202).length === acceptedFirst) interrupt(run.child);
          } catch {
            answers.push({ status: 0 }); // refused: the server had closed
          }
        }
      };
      await Promise.all(Array.from({ length: 32 }, sender));
      return { run, answers, code: await run.exited() };
    }

    it('stops taking webhooks (503 shutting_down), drains every accepted one with a progress line, and exits 0', async function () {
      this.timeout(90_000);

      const { run, answers, code } = await postAndInterrupt(120, (process) => process.kill('SIGINT'));

      const accepted = answers.filter((a) => a.status === 202).map((a) => a.messageId);
      const done = new Set(run.lines.filter((l) => l.message === 'queue record' && l.outcome === 'done').map((l) => l.messageId));
      expect(accepted.filter((id) => !done.has(id)), 'accepted but never handled').to.deep.equal([]);
      expect(new Set(answers.filter((a) => a.status !== 202).map((a) => `${a.status} ${a.code ?? ''}`))).to.satisfy((refusals: Set<string>) => [...refusals].every((r) => r === '503 shutting_down' || r === '0 '));
      expect(answers.some((a) => a.code === 'shutting_down'), 'a webhook refused while draining').to.equal(true);
      expect(run.find('draining'), 'a progress line').to.not.equal(undefined);
      expect([run.find('stopped')?.handled !== undefined, code]).to.deep.equal([true, 0]);
    });

    it('stops at once on a second Ctrl-C and says how many accepted webhooks it drops', async function () {
      this.timeout(90_000);

      const { run, answers, code } = await postAndInterrupt(150, (process) => {
        process.kill('SIGINT');
        // A person's second Ctrl-C; two signals a few ms apart may reach the process as one.
        setTimeout(() => process.kill('SIGINT'), 300);
      });

      const accepted = answers.filter((a) => a.status === 202).length;
      const done = run.lines.filter((l) => l.message === 'queue record' && l.outcome === 'done').length;
      const forced = run.find('forced shutdown: accepted webhooks dropped');
      expect(code).to.equal(1);
      expect(forced?.dropped).to.be.a('number').and.to.be.at.least(accepted - done).and.above(0);
    });
  });
});
