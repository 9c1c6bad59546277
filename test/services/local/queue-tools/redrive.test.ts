import { CreateQueueCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { interceptLocalhostDns } from 'fauxqs';
import type { LocalQueue } from '../../../../services/local/local-queue.ts';
import { startConsumer } from '../../../../services/server/consumer.ts';
import { toSqsRecord } from '../../../../services/server/sqs-event.ts';
import { createParker } from '../../../../services/worker/park.ts';
import { createWorkerHandler } from '../../../../services/worker/worker.ts';
import { createWorkerMetrics } from '../../../../services/worker/metrics.ts';
import { decodeRecord } from '../../../../shared/queue-message/decode.ts';
import { makeApp } from '../../../../factories/app.ts';
import { makeCapturingLogger } from '../../../../factories/logger.ts';
import { makeHttpApiRecord } from '../../../../factories/sqs.ts';
import { depth, drain, waitFor, withAwsEnv } from '../../../helpers/queue.ts';
import { hour, parkWebhook, runCli, startSeedQueue } from './seed.ts';

// The queue and DLQ are fauxqs, an SQS-compatible server, on 127.0.0.1 in this process.
describe('redriveCommand', () => {
  let queue: LocalQueue;
  const receivedAt = Date.now() - hour;

  beforeEach(async () => {
    queue = await startSeedQueue();
  });

  afterEach(async () => {
    await queue.stop();
  });

  it('moves DLQ messages back in order, same group (an entity group too), fresh dedup id, without the park attributes', async () => {
    for (const n of [1, 2]) await parkWebhook(queue, { path: '/webhook', groupId: '/webhook', status: 500, receivedAt, body: `{"n":${n}}` });
    const http = makeHttpApiRecord({ headers: { 'stripe-signature': 't=1,v1=abc' } }, { groupId: '/webhook/stripe#acct_9#in_1' });
    await createParker({ dlqUrl: queue.dlqUrl, sqs: queue.client })(http, 'http_status', 'The app answered 400 bad_request', 5_000);

    const { code, stdout, stderr } = await runCli(queue, ['redrive']);

    expect([code, stdout]).to.deep.equal([0, `Moved 3 messages from ${queue.dlqUrl} to ${queue.queueUrl}.\n`]);
    expect(stderr).to.include('redrive: 3 moved\n');
    expect(await depth(queue.client, queue.dlqUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
    const moved = await drain(queue.client, queue.queueUrl);
    expect(moved.map((m) => m.Attributes?.MessageGroupId)).to.deep.equal(['/webhook', '/webhook/stripe#acct_9#in_1', '/webhook']);
    expect(new Set(moved.map((m) => m.Attributes?.MessageDeduplicationId)).size).to.equal(3);
    const bodies = moved.map((m) => decodeRecord(toSqsRecord(m, ''))).map((d) => (d.kind === 'request' ? d.request.body.toString() : ''));
    expect(bodies).to.deep.equal(['{"n":1}', '{"id":"evt_1"}', '{"n":2}']);
    expect(Object.keys(moved[1]!.MessageAttributes ?? {}).sort()).to.deep.equal(Object.keys(http.messageAttributes).sort());
  });

  it('moves messages that then succeed through the worker', async () => {
    for (const n of [1, 2, 3]) await parkWebhook(queue, { path: '/webhook', groupId: '/webhook', status: 500, receivedAt, body: `{"n":${n}}` });
    const { app } = makeApp();
    // The worker writes one line per record (the app writes no access line for a replay).
    const { logger, lines } = makeCapturingLogger();
    const worker = createWorkerHandler({ app, logger, metrics: createWorkerMetrics({ write: () => undefined }), sqs: queue.client, dlqUrl: queue.dlqUrl });

    const { code } = await runCli(queue, ['redrive']);
    const consumer = await startConsumer({ sqs: queue.client, queueUrl: queue.queueUrl, handler: worker, logger, waitTimeSeconds: 1 });
    try {
      await waitFor('three replays', () => (lines.filter((l) => l.message === 'queue record' && l.outcome === 'done').length === 3 ? true : undefined));
      await waitFor('an empty queue', async () => {
        const { visible, inFlight } = await depth(queue.client, queue.queueUrl);
        return visible + inFlight === 0 ? true : undefined;
      });
    } finally {
      await consumer.stop();
    }

    expect(code).to.equal(0);
    expect(lines.filter((l) => l.message === 'queue record' && l.outcome === 'done').map((l) => [l.method, l.path, l.status])).to.deep.equal([
      ['POST', '/webhook', 200], ['POST', '/webhook', 200], ['POST', '/webhook', 200],
    ]);
    expect(await depth(queue.client, queue.dlqUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('stops at the first message the queue refuses and leaves the rest in the DLQ, exit code 1', async () => {
    for (const n of [1, 2]) await parkWebhook(queue, { path: '/webhook', groupId: '/webhook', status: 500, receivedAt, body: `{"n":${n}}` });
    const { QueueUrl: gone } = await queue.client.send(new CreateQueueCommand({ QueueName: 'gone.fifo', Attributes: { FifoQueue: 'true' } }));
    await queue.client.send(new DeleteQueueCommand({ QueueUrl: gone }));
    // QUEUE_URL names a fauxqs queue here: DNS for *.localhost points at 127.0.0.1 and the
    // AWS credentials are placeholders fauxqs ignores.
    const restoreDns = interceptLocalhostDns();

    const result = await withAwsEnv({ AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' }, () => runCli(queue, ['redrive'], { QUEUE_URL: gone!, DLQ_URL: queue.dlqUrl })).finally(restoreDns);

    expect(result.code).to.equal(1);
    expect(result.stdout).to.match(new RegExp(`^Moved 0 messages from .+\\nStopped: the queue refused [0-9a-f-]{36}: .+\\. The rest is still in the DLQ\\.\\n$`));
    expect(await depth(queue.client, queue.dlqUrl)).to.deep.equal({ visible: 2, inFlight: 0 });
  });
});
