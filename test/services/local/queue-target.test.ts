import { expect } from 'chai';
import { interceptLocalhostDns } from 'fauxqs';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import { connectQueue } from '../../../services/local/queue-target.ts';
import { listen, makeRecordingListener, withAwsEnv } from '../../helpers/queue.ts';

// Queues are fauxqs, an SQS-compatible server, on 127.0.0.1 in this process.
describe('connectQueue', () => {
  let queue: LocalQueue;

  beforeEach(async () => {
    queue = await startLocalQueue();
  });

  afterEach(async () => {
    await queue.stop();
  });

  it("finds the running local queue and its DLQ by the queue's redrive policy", async () => {
    const port = Number(new URL(queue.endpoint).port);

    const target = await connectQueue({ localQueuePort: port });
    target.client.destroy();

    expect([target.queueUrl, target.dlqUrl]).to.deep.equal([queue.queueUrl, queue.dlqUrl]);
  });

  it('says how to start the local queue when none is running', async () => {
    const closed = await listen(makeRecordingListener().listener);
    const port = Number(new URL(closed.url).port);
    await closed.close();

    const error = await connectQueue({ localQueuePort: port }).then(() => undefined, (e: Error) => e.message);

    expect(error).to.equal(`No local queue at http://127.0.0.1:${port}: start it with \`npm start\`, or set QUEUE_URL to use a real queue`);
  });

  it('uses QUEUE_URL through the SDK as for real SQS, and finds its DLQ', async () => {
    // fauxqs stands in for SQS. Its queue URLs name sqs.us-east-1.localhost, so DNS for
    // *.localhost is pointed at 127.0.0.1, and the credentials are placeholders it ignores.
    const restoreDns = interceptLocalhostDns();
    try {
      const target = await withAwsEnv({ AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' }, () => connectQueue({ queueUrl: queue.queueUrl, localQueuePort: 1 }));
      target.client.destroy();

      expect([target.queueUrl, target.dlqUrl]).to.deep.equal([queue.queueUrl, queue.dlqUrl]);
    } finally {
      restoreDns();
    }
  });

  it('takes DLQ_URL as given', async () => {
    const target = await connectQueue({ queueUrl: queue.queueUrl, dlqUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/other-dlq.fifo', localQueuePort: 1 });
    target.client.destroy();

    expect(target.dlqUrl).to.equal('https://sqs.eu-west-1.amazonaws.com/123456789012/other-dlq.fifo');
  });
});
