import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { expect } from 'chai';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import { startPoller, type Poller, type QueueHandler } from '../../../services/local/poller.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';
import { depth, drain, waitFor } from './helpers.ts';

interface Invocation {
  bodies: string[];
  receiveCounts: string[];
  remainingMs: number;
}

// The queue is fauxqs, an SQS-compatible server, on 127.0.0.1 in this process, with a 1 s
// visibility timeout so that redeliveries come quickly.
describe('startPoller', () => {
  let queue: LocalQueue;
  let poller: Poller | undefined;
  let invocations: Invocation[];
  let lines: Record<string, unknown>[];

  async function send(body: string, groupId = 'g1'): Promise<void> {
    await queue.client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body, MessageGroupId: groupId, MessageDeduplicationId: body }));
  }

  /** Starts a poller whose handler records each invocation, then answers what `answer` decides. */
  async function poll(answer: (event: SQSEvent, call: number) => Promise<SQSBatchResponse | void> | SQSBatchResponse | void, functionTimeoutMs?: number): Promise<void> {
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
    poller = await startPoller({ sqs: queue.client, queueUrl: queue.queueUrl, handler, logger: capture.logger, waitTimeSeconds: 1, ...(functionTimeoutMs ? { functionTimeoutMs } : {}) });
  }

  const failAll = (event: SQSEvent): SQSBatchResponse => ({ batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) });

  beforeEach(async () => {
    queue = await startLocalQueue({ visibilityTimeoutSeconds: 1, maxReceiveCount: 3 });
    invocations = [];
    poller = undefined;
  });

  afterEach(async () => {
    await poller?.stop();
    await queue.stop();
  });

  it('invokes the handler with the Lambda-shaped event and deletes what succeeded', async () => {
    await send('a', 'g1');
    await send('b', 'g2');
    let event: SQSEvent | undefined;

    await poll((e) => {
      event ??= e;
    });
    await waitFor('both handled', () => (invocations.flatMap((i) => i.bodies).length === 2 ? true : undefined));
    await poller!.stop();

    expect(event?.Records.map((r) => [r.body, r.eventSource, r.eventSourceARN, r.awsRegion, Object.keys(r.attributes).sort()])).to.deep.equal(
      ['a', 'b'].map((body) => [body, 'aws:sqs', 'arn:aws:sqs:us-east-1:000000000000:webhooks.fifo', 'us-east-1', [
        'ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'MessageDeduplicationId', 'MessageGroupId', 'SenderId', 'SentTimestamp', 'SequenceNumber',
      ]]),
    );
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('gives the handler a deadline of the function timeout, by default the visibility timeout', async () => {
    await send('a');

    await poll(() => undefined);
    await waitFor('an invocation', () => invocations[0]);

    expect(invocations[0]!.remainingMs).to.be.within(500, 1000);
  });

  it('leaves a reported failure for redelivery after the visibility timeout', async () => {
    await send('a');

    await poll((event, call) => (call === 1 ? failAll(event) : undefined));
    await waitFor('the second delivery', () => invocations[1]);
    await waitFor('the delete', async () => ((await depth(queue.client, queue.queueUrl)).inFlight === 0 ? true : undefined));

    expect(invocations.map((i) => [i.bodies, i.receiveCounts])).to.deep.equal([[['a'], ['1']], [['a'], ['2']]]);
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('keeps the whole batch when the handler throws', async () => {
    await send('a', 'g1');
    await send('b', 'g2');

    await poll((_event, call) => {
      if (call === 1) throw new Error('function crashed');
    });
    await waitFor('a and b again', () => (invocations.flatMap((i) => i.bodies).length >= 4 ? true : undefined));

    expect(invocations.flatMap((i) => i.bodies).sort()).to.deep.equal(['a', 'a', 'b', 'b']);
    expect(lines.filter((l) => l.message === 'invocation failed').map((l) => l.errorMessage)).to.deep.equal(['function crashed']);
  });

  it('keeps the whole batch when a failure names no record of it, as Lambda does', async () => {
    await send('a');

    await poll((_event, call) => (call === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] } : undefined));
    await waitFor('the redelivery', () => invocations[1]);

    expect(invocations.map((i) => i.receiveCounts)).to.deep.equal([['1'], ['2']]);
    expect(lines.some((l) => l.message === 'invalid batchItemFailures, the whole batch failed')).to.equal(true);
  });

  it('keeps the whole batch when the handler answers after the function timeout', async () => {
    await send('a');

    await poll(async (_event, call) => {
      if (call === 1) await sleep(120);
    }, 100);
    await waitFor('the redelivery', () => invocations[1]);

    expect(invocations.map((i) => i.receiveCounts)).to.deep.equal([['1'], ['2']]);
    expect(lines.filter((l) => l.message === 'invocation timed out').map((l) => l.timeoutMs)).to.deep.equal([100]);
  });

  describe('drain', () => {
    it('resolves once every message is handled and deleted, saying how many', async () => {
      for (const body of ['a', 'b', 'c']) await send(body, body);
      await poll(async () => {
        await sleep(50);
      });

      const report = await poller!.drain({ timeoutMs: 10_000 });

      expect(report).to.deep.equal({ remaining: 0, handled: 3, ended: 'empty' });
      expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
    });

    it('gives up after its timeout, naming what is left, with a progress line each second', async () => {
      await send('a');
      await poll(failAll);

      const report = await poller!.drain({ timeoutMs: 1500 });

      expect(report).to.include({ remaining: 1, handled: 0, ended: 'timeout' });
      expect(lines.filter((l) => l.message === 'draining').map((l) => l.remaining)).to.include(1);
    });

    it('gives up at once when its signal aborts', async () => {
      await send('a');
      await poll(failAll);
      const abort = new AbortController();

      const drained = poller!.drain({ timeoutMs: 60_000, signal: abort.signal });
      setTimeout(() => abort.abort(), 100);

      expect(await drained).to.include({ remaining: 1, ended: 'aborted' });
    });
  });

  it("lets the queue's redrive policy move a message that keeps failing to the DLQ", async () => {
    await send('poison');

    await poll(failAll);
    await waitFor('the DLQ', async () => ((await depth(queue.client, queue.dlqUrl)).visible === 1 ? true : undefined));

    expect(invocations.map((i) => i.receiveCounts)).to.deep.equal([['1'], ['2'], ['3']]);
    expect((await drain(queue.client, queue.dlqUrl)).map((m) => [m.Body, m.Attributes?.MessageGroupId])).to.deep.equal([['poison', 'g1']]);
  });

  it('hands out a group one message at a time, in order, whatever the concurrency', async () => {
    for (const n of [1, 2, 3, 4, 5]) await send(`m${n}`, 'g1');
    const capture = makeCapturingLogger();
    const order: string[] = [];

    poller = await startPoller({
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

    await poll(() => new Promise<void>((resolve) => (release = resolve)));
    await waitFor('the invocation', () => invocations[0]);
    const stopped = poller!.stop();
    release();
    await stopped;

    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });
});
