import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type Koa from 'koa';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import { startService, type Service } from '../../../services/server/service.ts';
import type { QueueMetadata } from '../../../shared/origin.ts';
import { makeApp } from '../../../factories/app.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';
import { depth, drain, waitFor } from '../../helpers/queue.ts';

interface Seen {
  body: Buffer;
  query: unknown;
  header: string;
  requestId: unknown;
  queue?: QueueMetadata;
}

/** The real app, plus `POST /webhook/capture`, which records what a replayed request looks like to a handler. */
function makeCapturingApp(): { app: Koa; seen: Seen[] } {
  const { app } = makeApp();
  const seen: Seen[] = [];
  app.use(async (ctx, next) => {
    if (ctx.path !== '/webhook/capture') {
      await next();
      return;
    }
    seen.push({ body: ctx.request.rawBody, query: { ...ctx.query }, header: ctx.get('x-custom'), requestId: ctx.state.requestId, queue: ctx.state.queue });
    ctx.body = { ok: true };
  });
  return { app, seen };
}

// The queue is fauxqs, an SQS-compatible server, on 127.0.0.1 in this process.
describe('startService', () => {
  let queue: LocalQueue | undefined;
  let service: Service | undefined;
  const { logger, lines } = makeCapturingLogger();

  beforeEach(() => {
    lines.length = 0;
  });

  afterEach(async () => {
    await service?.stop();
    await queue?.stop();
    service = undefined;
    queue = undefined;
  });

  it('serves webhook POSTs straight from the app without a queue', async () => {
    service = await startService({ app: makeApp().app, logger, host: '127.0.0.1', port: 0, bodyLimit: 1024 });

    const response = await fetch(`${service.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1}' });

    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({
      received: true,
      bytes: 8,
      sha256: createHash('sha256').update('{"id":1}').digest('hex'),
      contentType: 'application/json',
    });
  });

  it('replays a queued webhook into the app with its exact bytes, its request id and the queue metadata', async () => {
    const { app, seen } = makeCapturingApp();
    queue = await startLocalQueue();
    service = await startService({ app, logger, host: '127.0.0.1', port: 0, bodyLimit: 1024, queue, consumer: { waitTimeSeconds: 1 } });
    const body = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d, 0x80, 0x0a]);

    const response = await fetch(`${service.url}/webhook/capture?x=1&x=%C3%A9`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-custom': 'v' }, body });
    const accepted = (await response.json()) as { messageId: string; requestId: string };
    const [replayed] = await waitFor('the replay', () => (seen.length > 0 ? seen : undefined));

    expect(response.status).to.equal(202);
    expect(replayed!.body.equals(body)).to.equal(true);
    expect({ ...replayed, body: undefined, queue: { ...replayed!.queue, sentAt: typeof replayed!.queue?.sentAt } }).to.deep.equal({
      body: undefined,
      query: { x: ['1', 'é'] },
      header: 'v',
      requestId: accepted.requestId,
      queue: { messageId: accepted.messageId, groupId: '/webhook/capture', sequenceNumber: '00000000000000000001', receiveCount: 1, sentAt: 'number' },
    });
    await waitFor('the delete', async () => ((await depth(queue!.client, queue!.queueUrl)).inFlight === 0 ? true : undefined));
  });

  it('parks a webhook the app rejects with 4xx in the DLQ, with its reason', async () => {
    queue = await startLocalQueue();
    service = await startService({ app: makeApp().app, logger, host: '127.0.0.1', port: 0, bodyLimit: 1024, queue, consumer: { waitTimeSeconds: 1 } });

    const response = await fetch(`${service.url}/webhook/unknown`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await waitFor('the park', async () => ((await depth(queue!.client, queue!.dlqUrl)).visible === 1 ? true : undefined));

    expect(response.status).to.equal(202);
    const [parked] = await drain(queue.client, queue.dlqUrl);
    expect([parked?.MessageAttributes?.parkReason?.StringValue, parked?.MessageAttributes?.parkDetail?.StringValue]).to.deep.equal([
      'http_status',
      'The app answered 404 not_found',
    ]);
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('finishes a replay in progress when stopped, and then takes no more requests', async () => {
    const { app } = makeApp();
    let release: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      app.use(async (ctx) => {
        resolve();
        await new Promise<void>((done) => (release = done));
        ctx.body = { ok: true };
      });
    });
    queue = await startLocalQueue();
    service = await startService({ app, logger, host: '127.0.0.1', port: 0, bodyLimit: 1024, queue, consumer: { waitTimeSeconds: 1 } });
    const url = service.url;
    await fetch(`${url}/webhook/slow`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await started;

    const stopped = service.stop();
    release();
    await stopped;
    service = undefined;

    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
    const refused = await fetch(`${url}/health`).then(() => 'answered', (error: Error) => error.message);
    expect(refused).to.equal('fetch failed');
  });

  it('serves a mounted listener under its prefix only, ahead of the gateway and the app, and closes it on stop', async () => {
    queue = await startLocalQueue();
    const mounted: string[] = [];
    let closed = 0;
    const mount = {
      prefix: '/_tool',
      listener: (req: IncomingMessage, res: ServerResponse) => {
        mounted.push(`${req.method} ${req.url}`);
        res.writeHead(200).end('tool');
      },
      close: () => { closed += 1; },
    };
    service = await startService({ app: makeApp().app, logger, host: '127.0.0.1', port: 0, bodyLimit: 1024, queue, consumer: { waitTimeSeconds: 1 }, mount });

    const statuses = [];
    for (const path of ['/_tool', '/_tool/x?y=1', '/_tool/webhook', '/_toolbox', '/health']) {
      statuses.push((await fetch(`${service.url}${path}`, { method: path === '/health' ? 'GET' : 'POST', body: path === '/health' ? undefined : '{}' })).status);
    }
    await service.stop();
    service = undefined;

    expect(mounted).to.deep.equal(['POST /_tool', 'POST /_tool/x?y=1', 'POST /_tool/webhook']);
    expect(statuses).to.deep.equal([200, 200, 200, 404, 200]);
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
    expect(closed).to.equal(1);
  });

  it("hands the gateway's and the worker's observers every delivery and every record", async () => {
    queue = await startLocalQueue();
    const events: string[] = [];
    service = await startService({
      app: makeApp().app, logger, host: '127.0.0.1', port: 0, bodyLimit: 1024, queue, consumer: { waitTimeSeconds: 1 },
      gateway: { onDelivery: (delivery) => events.push(`gateway ${delivery.status} ${delivery.messageId}`) },
      worker: { onRecord: (report, answer) => events.push(`worker ${report.outcome} ${report.messageId} ${answer?.contentType}`) },
    });

    const { messageId } = (await (await fetch(`${service.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { messageId: string };
    await waitFor('the record', () => (events.length === 2 ? events : undefined));

    expect([...events].sort()).to.deep.equal([`gateway 202 ${messageId}`, `worker done ${messageId} application/json; charset=utf-8`]);
  });

  it('answers 503 server_busy, unread, to a body that would take the bodies in flight past the limit, and takes it once they are done', async function () {
    this.timeout(20_000);
    queue = await startLocalQueue();
    // 4 KiB bodies, 10 KiB in flight at most: two slow senders hold 8 KiB.
    service = await startService({ app: makeApp().app, logger, host: '127.0.0.1', port: 0, bodyLimit: 4096, maxBodyBytesInFlight: 10 * 1024, queue });
    const { port } = new URL(service.url);
    const slow = await Promise.all([0, 1].map(async () => {
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      // Headers and half the body, then nothing: a sender that trickles.
      socket.write('POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\n\r\n' + 'a'.repeat(2048));
      return socket;
    }));
    await sleep(100);
    const post = (body: string, headers: Record<string, string> = {}) => fetch(`${service!.url}/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body });

    const refused = await post('b'.repeat(4000));
    const refusedBody = await refused.json();
    const small = await post('c'.repeat(100));
    const chunked = await fetch(`${service.url}/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: Readable.toWeb(Readable.from(['d'])) as ReadableStream, duplex: 'half' });
    const get = await fetch(`${service.url}/health`);
    for (const socket of slow) socket.write('a'.repeat(2048));
    await sleep(100);
    const after = await post('b'.repeat(4000));

    expect({ status: refused.status, retryAfter: refused.headers.get('retry-after'), body: refusedBody }).to.deep.equal({ status: 503, retryAfter: '1', body: { error: { code: 'server_busy', message: 'Too many request bodies are being received; retry shortly' } } });
    // 8 KiB + 100 B fits; a chunked body reserves the whole 4 KiB limit, which does not; a GET has no body.
    expect([small.status, chunked.status, get.status, after.status]).to.deep.equal([202, 503, 200, 202]);
    expect(lines.filter((line) => line.message === 'request bodies in flight at the limit').map((line) => line.maxBytes)).to.deep.equal([10 * 1024]);
    for (const socket of slow) socket.destroy();
  });

  it('cuts a body that has not come a second after its headers when the budget is full, so that headers alone cannot hold the budget', async function () {
    this.timeout(20_000);
    queue = await startLocalQueue();
    service = await startService({ app: makeApp().app, logger, host: '127.0.0.1', port: 0, bodyLimit: 4096, maxBodyBytesInFlight: 10 * 1024, queue });
    const { port } = new URL(service.url);
    const closed: boolean[] = [];
    await Promise.all([0, 1].map(async (i) => {
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      closed[i] = false;
      socket.on('close', () => (closed[i] = true));
      // Headers declaring a near-limit body, which never comes.
      socket.write('POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\n\r\n');
    }));
    await sleep(100);
    const post = () => fetch(`${service!.url}/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'b'.repeat(4000) });

    // Within its first second a body may still come: the budget is full.
    const early = await post();
    await sleep(1200);
    const late = await post();
    await sleep(100);

    // One cut makes room; the other sender keeps its connection.
    expect([early.status, late.status, closed.filter(Boolean).length]).to.deep.equal([503, 202, 1]);
  });

  it('frees what a pipelined request reserved when its connection closes before it is answered, for the budget and for stop', async function () {
    this.timeout(20_000);
    queue = await startLocalQueue();
    service = await startService({ app: makeApp().app, logger, host: '127.0.0.1', port: 0, bodyLimit: 4096, maxBodyBytesInFlight: 10 * 1024, queue });
    const { port } = new URL(service.url);
    // A webhook, and behind it on the same connection a near-limit one whose body never comes:
    // the second's answer waits for the first's, and the client hangs up before either.
    for (let i = 0; i < 3; i += 1) {
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write('POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\na'
        + 'POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\n\r\n');
      await sleep(5);
      socket.destroy();
    }
    await sleep(200);

    const after = await fetch(`${service.url}/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'b'.repeat(4000) });
    // Nothing is in flight: stop returns well before the 5 s it gives requests in progress.
    const stopped = await Promise.race([service.stop().then(() => 'stopped'), sleep(2500).then(() => 'still waiting')]);

    expect([after.status, stopped]).to.deep.equal([202, 'stopped']);
  });

  it('rejects a port in use with EADDRINUSE', async () => {
    queue = await startLocalQueue();
    service = await startService({ app: makeApp().app, logger, host: '127.0.0.1', port: 0, bodyLimit: 1024 });
    const port = Number(new URL(service.url).port);

    const failure = await startService({ app: makeApp().app, logger, host: '127.0.0.1', port, bodyLimit: 1024, queue }).then(() => undefined, (error: NodeJS.ErrnoException) => error.code);

    expect(failure).to.equal('EADDRINUSE');
  });
});
