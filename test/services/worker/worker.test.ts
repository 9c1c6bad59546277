import { createHash } from 'node:crypto';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { expect } from 'chai';
import type Koa from 'koa';
import { createLocalSqsClient, startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import { createWorkerMetrics } from '../../../services/worker/metrics.ts';
import { createWorkerHandler, type WorkerOptions } from '../../../services/worker/worker.ts';
import { makeApp } from '../../../factories/app.ts';
import { makeLambdaContext } from '../../../factories/lambda-context.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';
import { makeEnvelopeRecord, makeHttpApiFramedRecord, makeHttpApiRecord, makeSqsEvent, makeSqsRecord } from '../../../factories/sqs.ts';
import { makeScriptedApp } from './scripted-app.ts';
import { captureAnswers } from '../../helpers/capture-answers.ts';

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

function makeWorker(app: Koa, options: Partial<WorkerOptions> = {}) {
  const { logger, lines } = makeCapturingLogger();
  const emf: Record<string, unknown>[] = [];
  const metrics = createWorkerMetrics({ write: (line) => emf.push(JSON.parse(line) as Record<string, unknown>) });
  return { handler: createWorkerHandler({ app, logger, metrics, ...options }), lines, emf };
}

/** Log lines without the fields that vary from run to run. */
function stable(lines: Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.map(({ time: _time, durationMs, replayMs, queueLagMs, stack: _stack, ...rest }) => ({
    ...rest,
    durationMs: typeof durationMs,
    ...(replayMs === undefined ? {} : { replayMs: typeof replayMs }),
    ...(queueLagMs === undefined ? {} : { queueLagMs: typeof queueLagMs }),
  }));
}

const failures = (...ids: string[]) => ({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) });

describe('createWorkerHandler', () => {
  describe('replays every queue message shape', () => {
    const bodies: [string, string, Buffer][] = [
      ['JSON', 'application/json', Buffer.from('{"id":"evt_1","amount":1000}')],
      ['url-encoded form', 'application/x-www-form-urlencoded', Buffer.from('To=%2B15551234567&Body=a+b%26c')],
      ['plain text', 'text/plain', Buffer.from('line one\r\nline two\n')],
      ['binary', 'application/octet-stream', Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x0a, 0xc3, 0x28])],
      ['non-ASCII text', 'text/plain; charset=utf-8', Buffer.from('Grüße, 東京 🎉 — façade', 'utf8')],
    ];

    for (const [name, contentType, body] of bodies) {
      it(`gives the app a byte-identical ${name} body from a REST API envelope`, async () => {
        const { app } = makeApp();
        const answers = captureAnswers(app);
        const { handler } = makeWorker(app);
        const record = makeEnvelopeRecord({ headers: { 'content-type': contentType }, body });

        const response = await handler(makeSqsEvent([record]), makeLambdaContext());

        expect(response).to.deep.equal(failures());
        expect(answers).to.deep.equal([{ received: true, bytes: body.length, sha256: sha256(body), contentType }]);
      });

      it(`gives the app a byte-identical ${name} body from a legacy v1 base64payload`, async () => {
        const { app } = makeApp();
        const answers = captureAnswers(app);
        const { handler } = makeWorker(app);
        const legacy = { source: 'ApiGatewayV1SQSLambda', jsonPayload: {}, base64payload: body.toString('base64'), contentType };

        const response = await handler(makeSqsEvent([makeSqsRecord({ body: JSON.stringify(legacy) })]), makeLambdaContext());

        expect(response).to.deep.equal(failures());
        expect(answers).to.deep.equal([{ received: true, bytes: body.length, sha256: sha256(body), contentType }]);
      });
    }

    const httpApiVersions = [
      ['version 2 (framed body, no attributes)', makeHttpApiFramedRecord],
      ['version 1 (attributes), of earlier releases', makeHttpApiRecord],
    ] as const;
    for (const [name, contentType, body] of bodies.filter(([name]) => name !== 'binary')) {
      for (const [version, makeRecord] of httpApiVersions) {
        it(`gives the app a byte-identical ${name} body from an HTTP API message, ${version}`, async () => {
          const { app } = makeApp();
          const answers = captureAnswers(app);
          const { handler } = makeWorker(app);
          const record = makeRecord({ body: body.toString('utf8'), contentType });

          const response = await handler(makeSqsEvent([record]), makeLambdaContext());

          expect(response).to.deep.equal(failures());
          expect(answers).to.deep.equal([{ received: true, bytes: body.length, sha256: sha256(body), contentType }]);
        });
      }
    }

    it('replays a framed HTTP API message that carries no message attributes at all, as the request the gateway received', async () => {
      const { app } = makeApp();
      const states: unknown[] = [];
      app.middleware.splice(1, 0, async (ctx, next) => {
        states.push({ method: ctx.method, path: ctx.path, signature: ctx.get('x-signature'), requestId: ctx.state.requestId, receivedAt: ctx.state.receivedAt, ip: ctx.ip });
        await next();
      });
      const { handler, lines } = makeWorker(app);
      const record = makeHttpApiFramedRecord({ path: '/webhook', requestId: 'JKJaXmPLvHcESHA=', requestTime: '1764000000', sourceIp: '198.51.100.9', headers: { 'x-signature': 'v1=abc' } }, { messageId: 'm-1' });

      const response = await handler(makeSqsEvent([record]), makeLambdaContext());

      expect(record.messageAttributes).to.deep.equal({});
      expect(response).to.deep.equal(failures());
      expect(states).to.deep.equal([{ method: 'POST', path: '/webhook', signature: 'v1=abc', requestId: 'JKJaXmPLvHcESHA=', receivedAt: 1_764_000_000_000, ip: '198.51.100.9' }]);
      expect(lines.map(({ shape, outcome }) => [shape, outcome])).to.deep.equal([['http-api-v2-framed', 'done']]);
    });

    it('replays a legacy v1 jsonPayload as its JSON text', async () => {
      const { app } = makeApp();
      const answers = captureAnswers(app);
      const { handler } = makeWorker(app);
      const legacy = { source: 'ApiGatewayV1SQSLambda', jsonPayload: { id: 'evt_1', note: 'ü' } };

      await handler(makeSqsEvent([makeSqsRecord({ body: JSON.stringify(legacy) })]), makeLambdaContext());

      const text = '{"id":"evt_1","note":"ü"}';
      expect(answers).to.deep.equal([{ received: true, bytes: Buffer.byteLength(text), sha256: sha256(text), contentType: 'application/json' }]);
    });

    it('replays a legacy v2 MessageBody, object or string, as a JSON POST /webhook', async () => {
      const { app } = makeApp();
      const answers = captureAnswers(app);
      const { handler } = makeWorker(app);
      const records = [
        makeSqsRecord({ body: JSON.stringify({ source: 'HttpApiV2SQSLambda', MessageBody: { id: 'evt_2' } }), groupId: 'a' }),
        makeSqsRecord({ body: JSON.stringify({ source: 'HttpApiV2SQSLambda', MessageBody: '{"id":"evt_3"}' }), groupId: 'b' }),
      ];

      const response = await handler(makeSqsEvent(records), makeLambdaContext());

      expect(response).to.deep.equal(failures());
      expect(answers).to.deep.equal(['{"id":"evt_2"}', '{"id":"evt_3"}'].map((text) => ({
        received: true, bytes: text.length, sha256: sha256(text), contentType: 'application/json',
      })));
    });
  });

  it('puts the queue metadata and the original receive time into ctx.state', async () => {
    const { app } = makeApp();
    const states: unknown[] = [];
    app.middleware.splice(1, 0, async (ctx, next) => {
      states.push({ requestId: ctx.state.requestId, receivedAt: ctx.state.receivedAt, queue: ctx.state.queue, ip: ctx.ip });
      await next();
    });
    const { handler } = makeWorker(app);
    const record = makeEnvelopeRecord(
      { requestId: 'gw-req-1', receivedAt: 1_764_000_000_123, sourceIp: '198.51.100.9' },
      { messageId: 'm-1', groupId: '/webhook', receiveCount: 3, sequenceNumber: '42', sentAt: 1_764_000_000_200 },
    );

    await handler(makeSqsEvent([record]), makeLambdaContext());

    expect(states).to.deep.equal([{
      requestId: 'gw-req-1',
      receivedAt: 1_764_000_000_123,
      queue: { messageId: 'm-1', groupId: '/webhook', sequenceNumber: '42', receiveCount: 3, sentAt: 1_764_000_000_200 },
      ip: '198.51.100.9',
    }]);
  });

  it('uses the SQS sent time as receive time for a legacy message, which carries none', async () => {
    const { app } = makeApp();
    const times: unknown[] = [];
    app.middleware.splice(1, 0, async (ctx, next) => {
      times.push(ctx.state.receivedAt);
      await next();
    });
    const { handler } = makeWorker(app);
    const legacy = makeSqsRecord({ body: JSON.stringify({ source: 'HttpApiV2SQSLambda', MessageBody: {} }), sentAt: 1_764_000_000_777 });

    await handler(makeSqsEvent([legacy]), makeLambdaContext());

    expect(times).to.deep.equal([1_764_000_000_777]);
  });

  describe('outcomes', () => {
    let queue: LocalQueue;

    beforeEach(async () => {
      queue = await startLocalQueue();
    });

    afterEach(async () => {
      await queue.stop();
    });

    async function parked(): Promise<{ body?: string; reason?: string; detail?: string }[]> {
      const { Messages = [] } = await queue.client.send(new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
      return Messages.map((m) => ({ body: m.Body, reason: m.MessageAttributes?.parkReason?.StringValue, detail: m.MessageAttributes?.parkDetail?.StringValue }));
    }

    it('acknowledges 2xx answers and retries 5xx, 408 and 429', async () => {
      const { app, replayed } = makeScriptedApp();
      const { handler, lines } = makeWorker(app, { dlqUrl: queue.dlqUrl, sqs: queue.client });
      const paths = ['/status/200', '/status/204', '/status/500', '/status/503', '/status/408', '/status/429'];
      const records = paths.map((path, i) => makeEnvelopeRecord({ path }, { messageId: `m-${i}`, groupId: `g-${i}` }));

      const response = await handler(makeSqsEvent(records), makeLambdaContext());

      expect(response).to.deep.equal(failures('m-2', 'm-3', 'm-4', 'm-5'));
      expect(replayed).to.deep.equal(['m-0', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5']);
      expect(lines.map((l) => [l.outcome, l.status, l.reason])).to.deep.equal([
        ['done', 200, undefined], ['done', 204, undefined],
        ['retry', 500, 'http_status'], ['retry', 503, 'http_status'], ['retry', 408, 'http_status'], ['retry', 429, 'http_status'],
      ]);
      expect(await parked()).to.deep.equal([]);
    });

    it('parks other 4xx answers in the DLQ with the reason, then acknowledges them', async () => {
      const { app } = makeScriptedApp();
      const { handler, lines } = makeWorker(app, { dlqUrl: queue.dlqUrl, sqs: queue.client });
      const record = makeEnvelopeRecord({ path: '/status/404' }, { messageId: 'm-404' });

      const response = await handler(makeSqsEvent([record]), makeLambdaContext());

      expect(response).to.deep.equal(failures());
      expect(await parked()).to.deep.equal([{ body: record.body, reason: 'http_status', detail: 'The app answered 404 status_404' }]);
      expect(lines.map((l) => [l.outcome, l.reason, l.detail])).to.deep.equal([['parked', 'http_status', 'The app answered 404 status_404']]);
    });

    it('parks an undecodable message without replaying it', async () => {
      const { app, replayed } = makeScriptedApp();
      const { handler, lines } = makeWorker(app, { dlqUrl: queue.dlqUrl, sqs: queue.client });
      const broken = JSON.stringify({ source: 'ApiGatewayV1SQSLambda', envelopeVersion: 1, method: 'POST', path: '!!', headers: {}, body: 'x', requestTime: 'soon' });
      const record = makeSqsRecord({ body: broken });

      const response = await handler(makeSqsEvent([record]), makeLambdaContext());

      const detail = 'Undecodable rest-envelope-v1 message: path is not valid base64; body is not valid base64; requestTime must be epoch milliseconds';
      expect(response).to.deep.equal(failures());
      expect(replayed).to.deep.equal([]);
      expect(await parked()).to.deep.equal([{ body: broken, reason: 'undecodable', detail }]);
      expect(lines.map((l) => [l.outcome, l.shape, l.reason])).to.deep.equal([['parked', 'rest-envelope-v1', 'undecodable']]);
    });

    it('retries what it would park when no DLQ is configured', async () => {
      const { app } = makeScriptedApp();
      const { handler, lines } = makeWorker(app);
      const records = [makeEnvelopeRecord({ path: '/status/400' }, { messageId: 'm-1', groupId: 'a' }), makeSqsRecord({ body: '{"source":"HttpApiV2SQSLambda"}', messageId: 'm-2', groupId: 'b' })];

      const response = await handler(makeSqsEvent(records), makeLambdaContext());

      expect(response).to.deep.equal(failures('m-1', 'm-2'));
      expect(lines.map((l) => [l.outcome, l.reason, l.detail])).to.deep.equal([
        ['retry', 'no_dlq', 'http_status: The app answered 400 status_400'],
        ['retry', 'no_dlq', 'undecodable: Undecodable legacy-v2 message: MessageBody is required'],
      ]);
    });

    it('retries a record whose park fails because the DLQ cannot be reached', async () => {
      const { app } = makeScriptedApp();
      const stopped = await startLocalQueue();
      await stopped.stop();
      const { handler, lines } = makeWorker(app, { dlqUrl: stopped.dlqUrl, sqs: createLocalSqsClient(stopped.endpoint) });

      const response = await handler(makeSqsEvent([makeEnvelopeRecord({ path: '/status/422' }, { messageId: 'm-1' })]), makeLambdaContext());

      expect(response).to.deep.equal(failures('m-1'));
      expect(lines.map((l) => [l.outcome, l.reason, l.errorCode])).to.deep.equal([['retry', 'park_failed', 'ECONNREFUSED']]);
    });

    it('retries a replay that fails or times out', async () => {
      const { app } = makeScriptedApp();
      const { handler, lines } = makeWorker(app, { dlqUrl: queue.dlqUrl, sqs: queue.client, replayTimeoutMs: 50 });
      const records = [makeEnvelopeRecord({ path: '/destroy' }, { messageId: 'm-1', groupId: 'a' }), makeEnvelopeRecord({ path: '/hang' }, { messageId: 'm-2', groupId: 'b' })];

      const response = await handler(makeSqsEvent(records), makeLambdaContext());

      expect(response).to.deep.equal(failures('m-1', 'm-2'));
      expect(lines.map((l) => [l.outcome, l.reason, l.errorMessage])).to.deep.equal([
        ['retry', 'exception', 'connection reset by the test'],
        ['retry', 'replay_timeout', 'The app did not answer within 50 ms'],
      ]);
    });

    it('logs a message of no known shape with its payload, then acknowledges it', async () => {
      const { app, replayed } = makeScriptedApp();
      const { handler, lines } = makeWorker(app, { dlqUrl: queue.dlqUrl, sqs: queue.client });
      const records = [makeSqsRecord({ body: '{"hello":"world"}', groupId: 'a' }), makeSqsRecord({ body: 'just text', groupId: 'b' })];

      const response = await handler(makeSqsEvent(records), makeLambdaContext());

      expect(response).to.deep.equal(failures());
      expect(replayed).to.deep.equal([]);
      expect(lines.map((l) => [l.level, l.outcome, l.shape, l.payload])).to.deep.equal([
        ['warn', 'logged', 'unrecognized', { hello: 'world' }],
        ['warn', 'logged', 'unrecognized', 'just text'],
      ]);
    });
  });

  describe('the Lambda deadline', () => {
    it('reports every record failed, replaying none, when too little time is left', async () => {
      const { app, replayed } = makeScriptedApp();
      const { handler, lines } = makeWorker(app, { deadlineMarginMs: 2_000 });
      const records = ['a', 'b', 'c'].map((groupId, i) => makeEnvelopeRecord({}, { messageId: `m-${i}`, groupId }));

      const response = await handler(makeSqsEvent(records), makeLambdaContext({ remainingMs: 1_500 }));

      expect(response).to.deep.equal(failures('m-0', 'm-1', 'm-2'));
      expect(replayed).to.deep.equal([]);
      expect(lines.map((l) => [l.messageId, l.outcome, l.reason])).to.deep.equal([['m-0', 'retry', 'deadline'], ['m-1', 'retry', 'deadline'], ['m-2', 'retry', 'deadline']]);
    });

    it('stops when the deadline comes close mid-batch and reports the rest failed', async () => {
      const { app, replayed } = makeScriptedApp();
      // A clock the app moves: every replay "takes" 4.5 s of a 10 s invocation.
      let remainingMs = 10_000;
      app.middleware.unshift(async (_ctx, next) => {
        remainingMs -= 4_500;
        await next();
      });
      const context: Context = { ...makeLambdaContext(), getRemainingTimeInMillis: () => remainingMs };
      const { handler } = makeWorker(app, { deadlineMarginMs: 1_000 });
      const records = ['a', 'b', 'c', 'd'].map((groupId, i) => makeEnvelopeRecord({}, { messageId: `m-${i}`, groupId }));

      const response = await handler(makeSqsEvent(records), context);

      expect(replayed).to.deep.equal(['m-0', 'm-1']);
      expect(response).to.deep.equal(failures('m-2', 'm-3'));
    });

    it('gives a replay no more time than is left before the margin', async () => {
      const { app } = makeScriptedApp();
      const { handler, lines } = makeWorker(app, { deadlineMarginMs: 1_000, replayTimeoutMs: 60_000 });

      await handler(makeSqsEvent([makeEnvelopeRecord({ path: '/hang' })]), makeLambdaContext({ remainingMs: 1_100 }));

      expect(lines.map((l) => l.errorMessage)).to.have.length(1);
      expect(String(lines[0]?.errorMessage)).to.match(/^The app did not answer within \d{1,3} ms$/);
    });
  });

  describe('logs and metrics', () => {
    it('writes one line per record with its queue facts and outcome, never the body', async () => {
      const { app } = makeScriptedApp();
      const { handler, lines } = makeWorker(app);
      const records = [
        makeEnvelopeRecord({ path: '/webhook/stripe', body: Buffer.from('{"secret":"sk_live_123"}') }, { messageId: 'm-1', groupId: 'g', receiveCount: 2 }),
        makeEnvelopeRecord({ path: '/status/503' }, { messageId: 'm-2', groupId: 'g' }),
        makeEnvelopeRecord({ path: '/status/200' }, { messageId: 'm-3', groupId: 'g' }),
      ];

      await handler(makeSqsEvent(records), makeLambdaContext());

      expect(JSON.stringify(lines)).not.to.include('sk_live_123');
      expect(stable(lines)).to.deep.equal([
        { level: 'info', message: 'queue record', messageId: 'm-1', groupId: 'g', receiveCount: 2, shape: 'rest-envelope-v1', requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', method: 'POST', path: '/webhook/stripe', status: 200, outcome: 'done', durationMs: 'number', replayMs: 'number', queueLagMs: 'number' },
        { level: 'warn', message: 'queue record', messageId: 'm-2', groupId: 'g', receiveCount: 1, shape: 'rest-envelope-v1', requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', method: 'POST', path: '/status/503', status: 503, outcome: 'retry', reason: 'http_status', detail: 'The app answered 503 status_503', durationMs: 'number', replayMs: 'number', queueLagMs: 'number' },
        { level: 'warn', message: 'queue record', messageId: 'm-3', groupId: 'g', receiveCount: 1, outcome: 'retry', reason: 'earlier_failure_in_group', detail: 'An earlier record of this message group failed in this batch', durationMs: 'number' },
      ]);
    });

    it('measures queue lag from when API Gateway received the request', async () => {
      const { app } = makeScriptedApp();
      const { handler, lines } = makeWorker(app);
      const receivedAt = Date.now() - 60_000;

      await handler(makeSqsEvent([makeEnvelopeRecord({ receivedAt })]), makeLambdaContext());

      expect(lines[0]?.queueLagMs).to.be.within(60_000, 120_000);
    });

    it('writes one EMF line per invocation with the outcome counts, replay durations and queue lags', async () => {
      const { app } = makeScriptedApp();
      const { handler, emf } = makeWorker(app);
      const records = [
        makeEnvelopeRecord({ path: '/status/200' }, { groupId: 'a' }),
        makeEnvelopeRecord({ path: '/status/200' }, { groupId: 'b' }),
        makeEnvelopeRecord({ path: '/status/500' }, { groupId: 'c' }),
        makeSqsRecord({ body: 'by hand', groupId: 'd' }),
      ];

      await handler(makeSqsEvent(records), makeLambdaContext());

      expect(emf).to.have.length(1);
      const [line] = emf as [{ _aws: { CloudWatchMetrics: unknown[] }; [k: string]: unknown }];
      expect(line._aws.CloudWatchMetrics).to.deep.equal([{
        Namespace: 'WebhookIntake',
        Dimensions: [['service']],
        Metrics: [
          { Name: 'Replayed', Unit: 'Count' },
          { Name: 'ReplayDuration', Unit: 'Milliseconds' },
          { Name: 'QueueLag', Unit: 'Milliseconds' },
          { Name: 'Retried', Unit: 'Count' },
          { Name: 'Unrecognized', Unit: 'Count' },
        ],
      }]);
      expect([line.service, line.Replayed, line.Retried, line.Unrecognized]).to.deep.equal(['webhook-intake', [1, 1], 1, 1]);
      expect(line.ReplayDuration).to.have.length(3);
      expect(line.QueueLag).to.have.length(4);
    });
  });

  describe('onRecord', () => {
    it("tells the observer of every record, skipped ones included, with the app's answer", async () => {
      const { app } = makeScriptedApp();
      const seen: [string, string, number | undefined, string | undefined][] = [];
      const { handler, lines } = makeWorker(app, { onRecord: (report, answer) => seen.push([report.messageId, report.outcome, report.status, answer?.body]) });
      const records = [
        makeEnvelopeRecord({ path: '/ok' }, { messageId: 'm-1', groupId: 'a' }),
        makeEnvelopeRecord({ path: '/status/503' }, { messageId: 'm-2', groupId: 'b' }),
        makeEnvelopeRecord({ path: '/ok' }, { messageId: 'm-3', groupId: 'b' }),
      ];

      await handler(makeSqsEvent(records), makeLambdaContext());

      expect(seen).to.deep.equal([
        ['m-1', 'done', 200, '{"ok":true}'],
        ['m-2', 'retry', 503, '{"error":{"code":"status_503","message":"scripted"}}'],
        ['m-3', 'retry', undefined, undefined],
      ]);
      expect(lines.every((line) => !('answer' in line))).to.be.true;
    });

    it('logs an observer that throws and handles the batch as without it', async () => {
      const { app } = makeScriptedApp();
      const { handler, lines } = makeWorker(app, { onRecord: () => { throw new Error('observer broke'); } });

      const response = await handler(makeSqsEvent([makeEnvelopeRecord({ path: '/ok' }, { messageId: 'm-1' })]), makeLambdaContext());

      expect(response).to.deep.equal(failures());
      expect(lines.map((l) => [l.message, l.messageId, l.errorMessage ?? l.outcome])).to.deep.equal([
        ['queue record', 'm-1', 'done'],
        ['record observer failed', 'm-1', 'observer broke'],
      ]);
    });
  });

  it('answers every record failed, rather than throwing, when the whole batch fails', async () => {
    const { app } = makeScriptedApp();
    const { handler } = makeWorker(app);
    const records = [makeEnvelopeRecord({ path: '/status/500' }, { messageId: 'm-1', groupId: 'a' }), makeEnvelopeRecord({ path: '/status/502' }, { messageId: 'm-2', groupId: 'b' })];

    const response = await handler(makeSqsEvent(records), makeLambdaContext());

    expect(response).to.deep.equal(failures('m-1', 'm-2'));
  });

  describe('events that are not SQS batches', () => {
    const events: [string, unknown][] = [['{}', {}], ['null', null], ['Records: null', { Records: null }], ['a string', 'x'], ['an array', [1]]];
    for (const [name, event] of events) {
      it(`answers ${name} with no failures and one error line, and never throws`, async () => {
        const { app } = makeApp();
        const { handler, lines } = makeWorker(app);

        const response = await handler(event, makeLambdaContext());

        expect(response).to.deep.equal({ batchItemFailures: [] });
        expect(lines.map((line) => [line.level, line.message, line.problem])).to.deep.equal([['error', 'invalid event', 'the event has no Records list']]);
      });
    }

    it('handles the records it can name and logs, by position, the ones it cannot', async () => {
      const { app } = makeApp();
      const { handler, lines } = makeWorker(app);
      const good = makeEnvelopeRecord({}, { messageId: 'm-1' });

      const response = await handler({ Records: [null, good, { body: '{}' }, 'x', { ...good, messageId: 7 }] }, makeLambdaContext());

      expect(response).to.deep.equal({ batchItemFailures: [] });
      expect(lines.map((line) => [line.message, line.messageId ?? null, line.outcome ?? null])).to.deep.equal([
        ['records without a message id skipped', null, null],
        ['queue record', 'm-1', 'done'],
      ]);
      expect(lines[0]).to.include({ records: 5, skipped: 4 });
      expect(lines[0]?.positions).to.deep.equal([0, 2, 3, 4]);
    });
  });
});
