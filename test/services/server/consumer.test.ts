import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { expect } from 'chai';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import { startConsumer, type Consumer, type QueueHandler } from '../../../services/server/consumer.ts';
import { createWorkerMetrics } from '../../../services/worker/metrics.ts';
import { createWorkerHandler } from '../../../services/worker/worker.ts';
import { encodeRestEnvelope } from '../../../shared/queue-message/envelope.ts';
import { makeApp } from '../../../factories/app.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';
import { depth, drain, waitFor } from '../../helpers/queue.ts';
import { createFaultySqsClient } from '../../helpers/sqs-faults.ts';

interface Invocation {
  bodies: string[];
  receiveCounts: string[];
  remainingMs: number;
}

// The queue is fauxqs, an SQS-compatible server, on 127.0.0.1 in this process, with a 1 s
// visibility timeout so that redeliveries come quickly.
describe('startConsumer', () => {
  let queue: LocalQueue;
  let consumer: Consumer | undefined;
  let invocations: Invocation[];
  let lines: Record<string, unknown>[];

  async function send(body: string, groupId = 'g1'): Promise<void> {
    await queue.client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body, MessageGroupId: groupId, MessageDeduplicationId: body }));
  }

  /** Starts a consumer whose handler records each invocation, then answers what `answer` decides. */
  async function consume(answer: (event: SQSEvent, call: number) => Promise<SQSBatchResponse | void> | SQSBatchResponse | void, functionTimeoutMs?: number): Promise<void> {
    const capture = makeCapturingLogger();
    lines = capture.lines;
    const handler: QueueHandler = async (event, context) => {
      invocations.push({
        bodies: event.Records.map((r) => r.body),
        receiveCounts: event.Records.map((r) => r.attributes.ApproximateReceiveCount),
        remainingMs: context.getRemainingTimeInMillis(),
      });
      return answer(event, invocations.length);
    };
    consumer = await startConsumer({ sqs: queue.client, queueUrl: queue.queueUrl, handler, logger: capture.logger, waitTimeSeconds: 1, ...(functionTimeoutMs ? { functionTimeoutMs } : {}) });
  }

  const failAll = (event: SQSEvent): SQSBatchResponse => ({ batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) });

  beforeEach(async () => {
    queue = await startLocalQueue({ visibilityTimeoutSeconds: 1, maxReceiveCount: 3 });
    invocations = [];
    consumer = undefined;
  });

  afterEach(async () => {
    await consumer?.stop();
    await queue.stop();
  });

  it('invokes the handler with the Lambda-shaped event and deletes what succeeded', async () => {
    await send('a', 'g1');
    await send('b', 'g2');
    let event: SQSEvent | undefined;

    await consume((e) => {
      event ??= e;
    });
    await waitFor('both handled', () => (invocations.flatMap((i) => i.bodies).length === 2 ? true : undefined));
    await consumer!.stop();

    expect(event?.Records.map((r) => [r.body, r.eventSource, r.eventSourceARN, r.awsRegion, Object.keys(r.attributes).sort()])).to.deep.equal(
      ['a', 'b'].map((body) => [body, 'aws:sqs', 'arn:aws:sqs:us-east-1:000000000000:webhooks.fifo', 'us-east-1', [
        'ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'MessageDeduplicationId', 'MessageGroupId', 'SenderId', 'SentTimestamp', 'SequenceNumber',
      ]]),
    );
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('gives the handler a deadline of the function timeout, by default the visibility timeout', async () => {
    await send('a');

    await consume(() => undefined);
    await waitFor('an invocation', () => invocations[0]);

    expect(invocations[0]!.remainingMs).to.be.within(500, 1000);
  });

  it('leaves a reported failure for redelivery after the visibility timeout', async () => {
    await send('a');

    await consume((event, call) => (call === 1 ? failAll(event) : undefined));
    await waitFor('the second delivery', () => invocations[1]);
    await waitFor('the delete', async () => ((await depth(queue.client, queue.queueUrl)).inFlight === 0 ? true : undefined));

    expect(invocations.map((i) => [i.bodies, i.receiveCounts])).to.deep.equal([[['a'], ['1']], [['a'], ['2']]]);
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('keeps the whole batch when the handler throws', async () => {
    await send('a', 'g1');
    await send('b', 'g2');

    await consume((_event, call) => {
      if (call === 1) throw new Error('function crashed');
    });
    await waitFor('a and b again', () => (invocations.flatMap((i) => i.bodies).length >= 4 ? true : undefined));

    expect(invocations.flatMap((i) => i.bodies).sort()).to.deep.equal(['a', 'a', 'b', 'b']);
    expect(lines.filter((l) => l.message === 'invocation failed').map((l) => l.errorMessage)).to.deep.equal(['function crashed']);
  });

  it('keeps the whole batch when a failure names no record of it, as Lambda does', async () => {
    await send('a');

    await consume((_event, call) => (call === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] } : undefined));
    await waitFor('the redelivery', () => invocations[1]);

    expect(invocations.map((i) => i.receiveCounts)).to.deep.equal([['1'], ['2']]);
    expect(lines.some((l) => l.message === 'invalid batchItemFailures, the whole batch failed')).to.equal(true);
  });

  it('keeps the whole batch when the handler answers after the function timeout', async () => {
    await send('a');

    await consume(async (_event, call) => {
      if (call === 1) await sleep(120);
    }, 100);
    await waitFor('the redelivery', () => invocations[1]);

    expect(invocations.map((i) => i.receiveCounts)).to.deep.equal([['1'], ['2']]);
    expect(lines.filter((l) => l.message === 'invocation timed out').map((l) => l.timeoutMs)).to.deep.equal([100]);
  });

  describe('drain', () => {
    it('resolves once every message is handled and deleted, saying how many', async () => {
      for (const body of ['a', 'b', 'c']) await send(body, body);
      await consume(async () => {
        await sleep(50);
      });

      const report = await consumer!.drain({ timeoutMs: 10_000 });

      expect(report).to.deep.equal({ remaining: 0, handled: 3, ended: 'empty' });
      expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
    });

    it('gives up after its timeout, naming what is left, with a progress line each second', async () => {
      await send('a');
      await consume(failAll);

      const report = await consumer!.drain({ timeoutMs: 1500 });

      expect(report).to.include({ remaining: 1, handled: 0, ended: 'timeout' });
      expect(lines.filter((l) => l.message === 'draining').map((l) => l.remaining)).to.include(1);
    });

    it('gives up at once when its signal aborts', async () => {
      await send('a');
      await consume(failAll);
      const abort = new AbortController();

      const drained = consumer!.drain({ timeoutMs: 60_000, signal: abort.signal });
      setTimeout(() => abort.abort(), 100);

      expect(await drained).to.include({ remaining: 1, ended: 'aborted' });
    });
  });

  it("lets the queue's redrive policy move a message that keeps failing to the DLQ", async () => {
    await send('poison');

    await consume(failAll);
    await waitFor('the DLQ', async () => ((await depth(queue.client, queue.dlqUrl)).visible === 1 ? true : undefined));

    expect(invocations.map((i) => i.receiveCounts)).to.deep.equal([['1'], ['2'], ['3']]);
    expect((await drain(queue.client, queue.dlqUrl)).map((m) => [m.Body, m.Attributes?.MessageGroupId])).to.deep.equal([['poison', 'g1']]);
  });

  it('hands out a group one message at a time, in order, whatever the concurrency', async () => {
    for (const n of [1, 2, 3, 4, 5]) await send(`m${n}`, 'g1');
    const capture = makeCapturingLogger();
    const order: string[] = [];

    consumer = await startConsumer({
      sqs: queue.client,
      queueUrl: queue.queueUrl,
      logger: capture.logger,
      waitTimeSeconds: 1,
      concurrency: 3,
      handler: async (event) => {
        await sleep(10);
        order.push(...event.Records.map((r) => r.body));
      },
    });
    await waitFor('all five', () => (order.length === 5 ? true : undefined));

    expect(order).to.deep.equal(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('finishes and acknowledges the batch in flight when stopped', async () => {
    await send('slow');
    let release: () => void = () => undefined;

    await consume(() => new Promise<void>((resolve) => (release = resolve)));
    await waitFor('the invocation', () => invocations[0]);
    const stopped = consumer!.stop();
    release();
    await stopped;

    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it("keeps a batch's messages in flight past the visibility timeout while it runs, and delivers them once", async () => {
    await send('long');

    await consume(() => sleep(2500), 10_000);
    await waitFor('the invocation', () => invocations[0]);
    await sleep(1800);
    const whileRunning = await depth(queue.client, queue.queueUrl);
    await waitFor('the delete', async () => ((await depth(queue.client, queue.queueUrl)).inFlight === 0 ? true : undefined));

    expect(whileRunning).to.deep.equal({ visible: 0, inFlight: 1 });
    expect(invocations.map((i) => i.receiveCounts)).to.deep.equal([['1']]);
    expect(lines.filter((l) => l.message === 'visibility change failed')).to.deep.equal([]);
  });

  describe('stopping with a deadline', () => {
    /** The real worker on an app that takes `ms` per webhook and records what it handled. */
    function slowWorker(ms: number): { handler: QueueHandler; handled: string[] } {
      const { app } = makeApp();
      const handled: string[] = [];
      app.use(async (ctx) => {
        await sleep(ms);
        handled.push(ctx.request.rawBody.toString('utf8'));
        ctx.body = { ok: true };
      });
      const { logger } = makeCapturingLogger();
      const handler = createWorkerHandler({ app, logger, metrics: createWorkerMetrics({ write: () => undefined }), deadlineMarginMs: 50 });
      return { handler, handled };
    }

    // One group each: fauxqs hands out one message per group per receive, so a batch of
    // several records needs several groups (SQS may also batch one group's messages).
    async function sendWebhooks(count: number): Promise<void> {
      for (let n = 1; n <= count; n += 1) {
        const envelope = encodeRestEnvelope({ method: 'POST', path: '/webhook/slow', query: [], headers: { 'content-type': 'text/plain' }, body: Buffer.from(`w${n}`), requestId: `r${n}` });
        await queue.client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: envelope, MessageGroupId: `g${n}`, MessageDeduplicationId: `w${n}` }));
      }
    }

    it('finishes the replay in flight, starts no more, and hands the rest of the batch back at once', async () => {
      await sendWebhooks(6);
      const slow = slowWorker(300);
      const { logger } = makeCapturingLogger();
      consumer = await startConsumer({ sqs: queue.client, queueUrl: queue.queueUrl, handler: slow.handler, logger, waitTimeSeconds: 1, functionTimeoutMs: 60_000 });
      await waitFor('the first webhook', () => (slow.handled.length === 1 ? true : undefined));

      const inFlightAtStop = consumer.inFlight;
      // w2 is running; the deadline passes before it ends, and no record may start after it.
      await consumer.stop({ deadline: Date.now() + 100 });
      const handledBeforeStop = [...slow.handled];
      const left = await depth(queue.client, queue.queueUrl);
      const next = slowWorker(0);
      consumer = await startConsumer({ sqs: queue.client, queueUrl: queue.queueUrl, handler: next.handler, logger, waitTimeSeconds: 1 });
      await waitFor('the rest', () => (next.handled.length === 4 ? true : undefined));

      expect(inFlightAtStop).to.equal(1);
      expect(handledBeforeStop).to.deep.equal(['w1', 'w2']);
      expect(left).to.deep.equal({ visible: 4, inFlight: 0 });
      expect(next.handled).to.deep.equal(['w3', 'w4', 'w5', 'w6']);
    });

    it('waits for the batch to end without a deadline', async () => {
      await sendWebhooks(3);
      const slow = slowWorker(100);
      const { logger } = makeCapturingLogger();
      consumer = await startConsumer({ sqs: queue.client, queueUrl: queue.queueUrl, handler: slow.handler, logger, waitTimeSeconds: 1, functionTimeoutMs: 60_000 });
      await waitFor('the first webhook', () => (slow.handled.length === 1 ? true : undefined));

      await consumer.stop();

      expect(slow.handled).to.deep.equal(['w1', 'w2', 'w3']);
      expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
    });
  });
  describe('losing the hold on a batch', () => {
    // Stubbed AWS (helpers/sqs-faults.ts): extensions of the visibility fail as SQS fails them;
    // a release (visibility 0) and every other call reach fauxqs.
    const extension = (command: string, input: Record<string, unknown>) =>
      command === 'ChangeMessageVisibilityBatchCommand' && (input.Entries as { VisibilityTimeout: number }[])[0]?.VisibilityTimeout !== 0;

    /** Two webhooks in one batch (two groups) through the real worker, each replay taking `ms`; the worker's record lines. */
    async function replayTwo(visibilityTimeoutSeconds: number, ms: number, fault: Parameters<typeof createFaultySqsClient>[1]): Promise<{ b: unknown[][]; consumerLines: Record<string, unknown>[] }> {
      await queue.stop();
      queue = await startLocalQueue({ visibilityTimeoutSeconds, maxReceiveCount: 5 });
      const ids: string[] = [];
      for (const body of ['a', 'b']) {
        const envelope = encodeRestEnvelope({ method: 'POST', path: '/webhook/slow', query: [], headers: { 'content-type': 'text/plain' }, body: Buffer.from(body), requestId: body });
        const sent = await queue.client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: envelope, MessageGroupId: body, MessageDeduplicationId: body }));
        ids.push(sent.MessageId ?? '');
      }
      const { app } = makeApp();
      app.use(async (ctx) => {
        await sleep(ms);
        ctx.body = { ok: true };
      });
      const worker = makeCapturingLogger();
      const handler = createWorkerHandler({ app, logger: worker.logger, metrics: createWorkerMetrics({ write: () => undefined }), deadlineMarginMs: 50 });
      const sqs = createFaultySqsClient(queue.endpoint, fault);
      const capture = makeCapturingLogger();
      consumer = await startConsumer({ sqs, queueUrl: queue.queueUrl, handler, logger: capture.logger, waitTimeSeconds: 1, functionTimeoutMs: 60_000 });
      // b's records in order: outcome, reason, receive count.
      const b = () => worker.lines.filter((l) => l.message === 'queue record' && l.messageId === ids[1]).map((l) => [l.outcome, l.reason, l.receiveCount]);
      await waitFor('b handled', () => (b().some(([outcome]) => outcome === 'done') ? true : undefined), 20_000);
      await consumer.stop();
      sqs.destroy();
      return { b: b(), consumerLines: capture.lines };
    }

    const lost = (lines: Record<string, unknown>[]) => lines.filter((l) => l.message === 'visibility lost, the batch starts no more replays').map((l) => l.why);

    it('starts no more replays once no extension succeeded before the visibility ran out', async function () {
      this.timeout(30_000);
      // a runs 1.5 s on a 1 s visibility whose extensions all fail: b, received with it, is
      // visible again (another consumer may have it), so it waits for its next delivery.
      const { b, consumerLines } = await replayTwo(1, 1500, (command, input) => (extension(command, input) ? new Error('Rate exceeded') : undefined));

      expect(b.slice(0, 2)).to.deep.equal([['retry', 'deadline', 1], ['done', undefined, 2]]);
      expect(lost(consumerLines)[0]).to.equal('no extension succeeded before the visibility timeout ran out');
    });

    it('starts no more replays once SQS refuses to extend a message of the batch', async function () {
      this.timeout(30_000);
      // The receipt handles are no longer valid (the messages were received again elsewhere):
      // SQS refuses the extension entry by entry, well before the 3 s visibility runs out.
      const refuse = (command: string, input: Record<string, unknown>) =>
        extension(command, input) ? { output: { Successful: [], Failed: (input.Entries as { Id: string }[]).map((e) => ({ Id: e.Id, Code: 'ReceiptHandleIsInvalid', SenderFault: true })) } } : undefined;
      const { b, consumerLines } = await replayTwo(3, 1500, refuse);

      expect(b[0]).to.deep.equal(['retry', 'deadline', 1]);
      expect(lost(consumerLines)[0]).to.equal('SQS refused to extend the visibility');
    });
  });
});
