import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import type { LocalQueue } from '../../../../services/local/local-queue.ts';
import { depth } from '../../../helpers/queue.ts';
import { hour, parkWebhook, runCli, startSeedQueue } from './seed.ts';

// The queue and DLQ are fauxqs, an SQS-compatible server, on 127.0.0.1 in this process.
describe('statsCommand', () => {
  let queue: LocalQueue;

  beforeEach(async () => {
    queue = await startSeedQueue();
    await parkWebhook(queue, { path: '/webhook', groupId: '/webhook', status: 422, receivedAt: Date.now() - hour });
    await parkWebhook(queue, { path: '/webhook/stripe', groupId: '/webhook/stripe', status: 422, receivedAt: Date.now() - 2 * hour });
    for (const n of [1, 2, 3]) {
      await queue.client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: `{"n":${n}}`, MessageGroupId: 'g', MessageDeduplicationId: `d${n}` }));
    }
  });

  afterEach(async () => {
    await queue.stop();
  });

  it('reports depth, in flight, DLQ depth and the age of the oldest DLQ message, consuming nothing', async () => {
    const { code, stdout } = await runCli(queue, ['stats', '--json']);

    expect(code).to.equal(0);
    const stats = JSON.parse(stdout) as { dlq: { oldestAgeSeconds: number } };
    expect(Math.round(stats.dlq.oldestAgeSeconds / 60)).to.equal(120);
    expect({ ...stats, dlq: { ...stats.dlq, oldestAgeSeconds: 'about 2 h' } }).to.deep.equal({
      queue: { url: queue.queueUrl, visible: 3, inFlight: 0, delayed: 0 },
      dlq: { url: queue.dlqUrl, visible: 2, inFlight: 0, delayed: 0, oldestAgeSeconds: 'about 2 h' },
    });
    expect(await depth(queue.client, queue.dlqUrl)).to.deep.equal({ visible: 2, inFlight: 0 });
  });

  it('prints two readable lines per queue', async () => {
    const { code, stdout } = await runCli(queue, ['stats']);

    expect(code).to.equal(0);
    expect(stdout.replace(/oldest 2h \d+m/, 'oldest 2h <m>m')).to.equal(
      `queue  ${queue.queueUrl}\n  depth 3  in flight 0  delayed 0\n` +
      `dlq    ${queue.dlqUrl}\n  depth 2  in flight 0  oldest 2h <m>m\n`,
    );
  });
});
