import { expect } from 'chai';
import type { LocalQueue } from '../../../../services/local/local-queue.ts';
import type { DlqEntry } from '../../../../services/local/queue-tools/dlq-entry.ts';
import { describeDlqMessage } from '../../../../services/local/queue-tools/dlq-entry.ts';
import { replayDlq } from '../../../../services/local/queue-tools/replay.ts';
import { createWorkerMetrics } from '../../../../services/worker/metrics.ts';
import { createWorkerHandler } from '../../../../services/worker/worker.ts';
import { makeApp } from '../../../../factories/app.ts';
import { makeCapturingLogger } from '../../../../factories/logger.ts';
import { depth } from '../../../helpers/queue.ts';
import { exhaustWebhook, hour, parkUndecodable, parkWebhook, runCli, startSeedQueue } from './seed.ts';

// The queue and DLQ are fauxqs, an SQS-compatible server, on 127.0.0.1 in this process; the
// replay runs the real worker and app in this process.
describe('replayCommand', () => {
  let queue: LocalQueue;
  const receivedAt = Date.now() - hour;

  beforeEach(async () => {
    queue = await startSeedQueue();
  });

  afterEach(async () => {
    await queue.stop();
  });

  async function remainingPaths(): Promise<(string | undefined)[]> {
    const { stdout } = await runCli(queue, ['peek', '--json']);
    return (JSON.parse(stdout) as { messages: DlqEntry[] }).messages.map((m) => m.path ?? m.shape);
  }

  it('deletes the messages the app now takes and leaves the others, exit code 1', async () => {
    await parkWebhook(queue, { path: '/webhook', groupId: '/webhook', status: 500, receivedAt });
    await parkWebhook(queue, { path: '/webhook/unknown', groupId: '/webhook/unknown', status: 404, receivedAt });
    await parkUndecodable(queue, '/webhook/x');
    await exhaustWebhook(queue, { path: '/webhook', groupId: '/webhook/retried', receivedAt });

    const { code, stdout, stderr } = await runCli(queue, ['replay']);

    expect([code, stdout]).to.deep.equal([1, 'Replayed 4: 2 succeeded and were deleted, 2 left in the DLQ.\n']);
    expect(stderr).to.include('replay: 4 replayed, 2 succeeded and deleted, 2 left in the DLQ\n');
    expect(await remainingPaths()).to.deep.equal(['/webhook/unknown', 'undecodable rest-envelope-v1']);
  });

  it("keeps a group's later messages behind a failure, in order", async () => {
    await parkWebhook(queue, { path: '/webhook/unknown', groupId: '/webhook', status: 404, receivedAt });
    await parkWebhook(queue, { path: '/webhook', groupId: '/webhook', status: 500, receivedAt });

    const { code, stdout } = await runCli(queue, ['replay']);

    expect([code, stdout]).to.deep.equal([1, 'Replayed 1: 0 succeeded and were deleted, 1 left in the DLQ.\n']);
    expect(await depth(queue.client, queue.dlqUrl)).to.deep.equal({ visible: 2, inFlight: 0 });
  });

  it('empties the DLQ with exit code 0 when every message succeeds', async () => {
    for (const n of [1, 2, 3]) await parkWebhook(queue, { path: '/webhook', groupId: '/webhook', status: 500, receivedAt, body: `{"n":${n}}` });

    const { code, stdout } = await runCli(queue, ['replay', '--max', '2']);
    const rest = await runCli(queue, ['replay']);

    expect([code, stdout, rest.code, rest.stdout]).to.deep.equal([
      0, 'Replayed 2: 2 succeeded and were deleted, 0 left in the DLQ.\n',
      0, 'Replayed 1: 1 succeeded and were deleted, 0 left in the DLQ.\n',
    ]);
    expect(await depth(queue.client, queue.dlqUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });
});

describe('replayDlq', () => {
  let queue: LocalQueue;

  beforeEach(async () => {
    queue = await startSeedQueue();
  });

  afterEach(async () => {
    await queue.stop();
  });

  it('replays only the messages it is asked for and leaves the others untouched', async () => {
    const receivedAt = Date.now() - hour;
    await parkWebhook(queue, { path: '/webhook', groupId: 'a', status: 500, receivedAt, requestId: 'req-a' });
    await parkWebhook(queue, { path: '/webhook', groupId: 'b', status: 500, receivedAt, requestId: 'req-b' });
    const replayed: (string | undefined)[] = [];
    const worker = createWorkerHandler({ app: makeApp().app, logger: makeCapturingLogger().logger, metrics: createWorkerMetrics({ write: () => undefined }), onRecord: (report) => replayed.push(report.requestId) });

    const result = await replayDlq({ client: queue.client, dlqUrl: queue.dlqUrl, worker, select: (message) => describeDlqMessage(message).requestId === 'req-b', progress: () => undefined });

    expect([result, replayed]).to.deep.equal([{ succeeded: 1, kept: 0 }, ['req-b']]);
    expect(await depth(queue.client, queue.dlqUrl)).to.deep.equal({ visible: 1, inFlight: 0 });
  });
});
