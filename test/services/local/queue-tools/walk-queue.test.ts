import { DeleteMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { startLocalQueue, type LocalQueue } from '../../../../services/local/local-queue.ts';
import { countVisible, walkQueue } from '../../../../services/local/queue-tools/walk-queue.ts';
import { depth } from '../../../helpers/queue.ts';

// The queue is fauxqs, an SQS-compatible server, on 127.0.0.1 in this process.
describe('walkQueue', () => {
  let queue: LocalQueue;

  beforeEach(async () => {
    queue = await startLocalQueue();
    for (const [body, group] of [['a1', 'a'], ['a2', 'a'], ['b1', 'b'], ['c1', 'c']]) {
      await queue.client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: body }));
    }
  });

  afterEach(async () => {
    await queue.stop();
  });

  it('hands out each message once, in group order, and makes the kept ones visible again at the end', async () => {
    const batches: string[][] = [];

    const { seen } = await walkQueue(queue.client, queue.queueUrl, { holdSeconds: 30 }, async (messages) => {
      batches.push(messages.map((m) => m.Body ?? ''));
      const [first, ...kept] = messages;
      await queue.client.send(new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: first!.ReceiptHandle }));
      return { kept };
    });

    expect(seen).to.equal(4);
    expect(batches).to.deep.equal([['a1', 'b1', 'c1'], ['a2']]);
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 2, inFlight: 0 });
  });

  it('stops after max messages, or when the caller says so, and releases what it held', async () => {
    const counts: number[] = [];

    await walkQueue(queue.client, queue.queueUrl, { holdSeconds: 30, max: 2 }, (messages) => {
      counts.push(messages.length);
      return Promise.resolve({ kept: messages });
    });
    await walkQueue(queue.client, queue.queueUrl, { holdSeconds: 30 }, (messages) => {
      counts.push(messages.length);
      return Promise.resolve({ kept: messages, stop: true });
    });

    expect(counts).to.deep.equal([2, 3]);
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 4, inFlight: 0 });
  });
});

describe('countVisible', () => {
  it('counts the messages ready to be received', async () => {
    const queue = await startLocalQueue();
    try {
      await queue.client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'x' }));

      expect([await countVisible(queue.client, queue.queueUrl), await countVisible(queue.client, queue.dlqUrl)]).to.deep.equal([1, 0]);
    } finally {
      await queue.stop();
    }
  });
});
