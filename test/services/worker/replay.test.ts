import { createHash } from 'node:crypto';
import { expect } from 'chai';
import Koa from 'koa';
import { ReplayTimeoutError } from '../../../services/worker/errors.ts';
import { createReplayer } from '../../../services/worker/replay.ts';
import type { RequestOrigin } from '../../../shared/origin.ts';
import { makeApp } from '../../../factories/app.ts';
import { makeReplayRequest, sampleTime } from '../../../factories/sqs.ts';
import { captureAnswers } from '../../helpers/capture-answers.ts';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const origin: RequestOrigin = { requestId: 'req-1', receivedAt: sampleTime, queue: { messageId: 'm-1', groupId: 'g', receiveCount: 1 } };

/** An app that answers what its handlers saw, so a test can compare it with what was queued. */
function makeEchoApp(): Koa {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = {
      method: ctx.method,
      url: ctx.url,
      query: ctx.query,
      ip: ctx.ip,
      headers: ctx.headers,
    };
  });
  return app;
}

describe('createReplayer', () => {
  const bodies: [string, string, Buffer][] = [
    ['JSON', 'application/json', Buffer.from('{"id":"evt_1","amount":1000,"nested":{"a":[1,2,3]}}\n')],
    ['url-encoded form', 'application/x-www-form-urlencoded', Buffer.from('To=%2B15551234567&Body=a+b%26c&Body=second')],
    ['plain text', 'text/plain', Buffer.from('line one\r\nline two\n')],
    ['binary', 'application/octet-stream', Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x0a, 0xc3, 0x28, 0x1f, 0x8b])],
    ['non-ASCII text', 'text/plain; charset=utf-8', Buffer.from('Grüße, 東京 🎉 — naïve façade', 'utf8')],
  ];
  for (const [name, contentType, body] of bodies) {
    it(`gives the app a byte-identical ${name} body`, async () => {
      const { app } = makeApp();
      const answers = captureAnswers(app);
      const replay = createReplayer(app);
      const request = makeReplayRequest({ headers: { 'content-type': contentType }, body });

      const result = await replay(request, origin, 5_000);

      expect(answers).to.deep.equal([{ received: true, bytes: body.length, sha256: sha256(body), contentType }]);
      expect(result).to.deep.equal({ status: 200, answer: { contentType: 'application/json; charset=utf-8', body: JSON.stringify(answers[0]) } });
    });
  }

  it('replays method, path, repeated query keys, headers and the source IP', async () => {
    const app = makeEchoApp();
    const answers = captureAnswers(app);
    const replay = createReplayer(app);
    const request = makeReplayRequest({
      method: 'PUT',
      path: '/api/items/a b',
      query: [['tag', 'x'], ['tag', 'y & z'], ['q', 'ü']],
      headers: { 'content-type': 'text/plain', 'x-signature': 'sha256=abc', 'content-length': '999', 'transfer-encoding': 'chunked' },
      body: Buffer.from('hello'),
      sourceIp: '198.51.100.23',
    });

    await replay(request, origin, 5_000);

    const seen = answers[0] as Record<string, unknown>;
    expect(seen).to.deep.include({
      method: 'PUT',
      url: '/api/items/a%20b?tag=x&tag=y+%26+z&q=%C3%BC',
      query: { tag: ['x', 'y & z'], q: 'ü' },
      ip: '198.51.100.23',
    });
    expect(seen.headers).to.deep.include({ 'content-type': 'text/plain', 'x-signature': 'sha256=abc', 'content-length': '5' });
    expect(seen.headers).not.to.have.property('transfer-encoding');
  });

  it('keeps a ? or # inside the path as part of the path', async () => {
    const app = makeEchoApp();
    const answers = captureAnswers(app);
    const replay = createReplayer(app);

    await replay(makeReplayRequest({ path: '/webhook/a?b#c', query: [['x', '1']] }), origin, 5_000);

    expect(answers[0]).to.deep.include({ url: '/webhook/a%3Fb%23c?x=1', query: { x: '1' } });
  });

  it('gives the app the query exactly as sent when the message carries it, and the path as it came', async () => {
    const app = makeEchoApp();
    const answers = captureAnswers(app);
    const replay = createReplayer(app);
    const rawQuery = "tenant=acme:eu&cb=a%20b&debug&ids=1,2&q='x'";

    await replay(makeReplayRequest({ path: '/webhook/a/../b//c', query: [...new URLSearchParams(rawQuery)], rawQuery }), origin, 5_000);

    expect(answers[0]).to.deep.include({ url: `/webhook/a/../b//c?${rawQuery}` });
  });

  it('hands the origin to ctx.state, where headers cannot forge it', async () => {
    const { app } = makeApp();
    let state: Record<string, unknown> = {};
    app.middleware.splice(1, 0, async (ctx, next) => {
      state = { requestId: ctx.state.requestId, receivedAt: ctx.state.receivedAt, queue: ctx.state.queue };
      await next();
    });
    const replay = createReplayer(app);
    const forged = makeReplayRequest({ requestId: 'req-1', headers: { 'content-type': 'application/json', 'x-queue-message-id': 'forged' } });

    await replay(forged, origin, 5_000);

    expect(state).to.deep.equal({ requestId: 'req-1', receivedAt: sampleTime, queue: origin.queue });
  });

  it("reports the app's error code, not its message", async () => {
    const { app } = makeApp();
    const replay = createReplayer(app);

    const result = await replay(makeReplayRequest({ body: Buffer.from('{not json') }), origin, 5_000);

    expect(result).to.deep.include({ status: 400, errorCode: 'invalid_json' });
    expect(JSON.parse(result.answer.body)).to.have.nested.property('error.code', 'invalid_json');
  });

  it('reports no error code for an answer that is not JSON', async () => {
    const app = new Koa();
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = 'nope';
    });

    const result = await createReplayer(app)(makeReplayRequest(), origin, 5_000);

    expect(result).to.deep.equal({ status: 404, answer: { contentType: 'text/plain; charset=utf-8', body: 'nope' } });
  });

  it('rejects with ReplayTimeoutError when the app does not answer in time', async () => {
    const app = new Koa();
    app.use(() => new Promise(() => undefined));
    const replay = createReplayer(app);

    const error = await replay(makeReplayRequest(), origin, 20).then(() => undefined, (e: unknown) => e);

    expect(error).to.be.instanceOf(ReplayTimeoutError);
    expect((error as Error).message).to.equal('The app did not answer within 20 ms');
  });
});
