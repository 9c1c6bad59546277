import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { createGateway } from '../../../services/server/gateway.ts';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import { startConsumer, type Consumer } from '../../../services/server/consumer.ts';
import { createWorkerMetrics } from '../../../services/worker/metrics.ts';
import { createWorkerHandler } from '../../../services/worker/worker.ts';
import { createApp } from '../../../shared/app.ts';
import { createLogger } from '../../../shared/logger.ts';
import type { QueueMetadata } from '../../../shared/origin.ts';
import { depth, listen, makeRecordingListener, waitFor } from '../../helpers/queue.ts';

const groups = 3;
const perGroup = 10;

// A consumer process is killed (SIGKILL) in the middle of a batch; a new one takes over. The
// queue is fauxqs on 127.0.0.1 in this process, with a 2 s visibility timeout.
describe('startConsumer after a crash', () => {
  let queue: LocalQueue;
  let child: ChildProcess | undefined;
  let consumer: Consumer | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    await consumer?.stop();
    await queue.stop();
  });

  it('gets back every unacknowledged message after the visibility timeout and loses none', async function () {
    this.timeout(60_000);
    queue = await startLocalQueue({ visibilityTimeoutSeconds: 2 });
    const gateway = await listen(createGateway({ app: makeRecordingListener().listener, sqs: queue.client, queueUrl: queue.queueUrl, logger: createLogger({ level: 'error' }), bodyLimit: 1024 }));
    const ids: string[] = [];
    for (let n = 0; n < perGroup; n += 1) {
      for (let group = 0; group < groups; group += 1) {
        const id = `g${group}-${n}`;
        ids.push(id);
        await fetch(`${gateway.url}/webhook/crash-${group}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id }) });
      }
    }
    await gateway.close();

    child = spawn(process.execPath, ['--import', 'tsx', 'test/services/server/crash-child.ts', queue.endpoint, queue.queueUrl], { stdio: ['ignore', 'pipe', 'ignore'] });
    const handledBeforeCrash: string[] = [];
    for await (const line of createInterface({ input: child.stdout! })) {
      const { handled } = JSON.parse(line) as { handled?: string };
      if (handled) handledBeforeCrash.push(handled);
      if (handledBeforeCrash.length === 4) break;
    }
    child.kill('SIGKILL');
    const heldByTheDead = (await depth(queue.client, queue.queueUrl)).inFlight;

    const handledAfter: { id: string; queue?: QueueMetadata }[] = [];
    const logger = createLogger({ level: 'error', write: () => undefined });
    const app = createApp({ service: { name: 'webhook-intake', version: '0.0.0-crash' }, logger });
    app.use((ctx) => {
      handledAfter.push({ id: (ctx.request.body as { id: string }).id, queue: ctx.state.queue });
      ctx.body = { ok: true };
    });
    const handler = createWorkerHandler({ app, logger, metrics: createWorkerMetrics({ write: () => undefined }), deadlineMarginMs: 200 });
    consumer = await startConsumer({ sqs: queue.client, queueUrl: queue.queueUrl, handler, logger, waitTimeSeconds: 1 });
    await waitFor('every webhook handled', () => (new Set([...handledBeforeCrash, ...handledAfter.map((h) => h.id)]).size === ids.length ? true : undefined), 30_000);
    await waitFor('an empty queue', async () => {
      const { visible, inFlight } = await depth(queue.client, queue.queueUrl);
      return visible + inFlight === 0 ? true : undefined;
    });

    expect(heldByTheDead).to.be.within(1, groups);
    const redelivered = handledAfter.filter((h) => (h.queue?.receiveCount ?? 0) > 1);
    expect(redelivered.length).to.equal(heldByTheDead);
    for (let group = 0; group < groups; group += 1) {
      const order = [...handledBeforeCrash, ...handledAfter.map((h) => h.id)].filter((id) => id.startsWith(`g${group}-`));
      const firsts = order.filter((id, i) => order.indexOf(id) === i);
      expect(firsts, `group ${group}`).to.deep.equal(ids.filter((id) => id.startsWith(`g${group}-`)));
    }
  });
});
