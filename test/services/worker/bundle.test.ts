import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { expect } from 'chai';
import { startLocalQueue } from '../../../services/local/local-queue.ts';
import { ensureBuilt } from '../../helpers/build.ts';
import { makeEnvelopeRecord, makeSqsEvent } from '../../../factories/sqs.ts';

// The built entry and its chunks, alone in a directory with no node_modules, run by a plain
// Node process (no tsx) the way the Lambda runtime imports the image's `worker.handler`; parking
// loads the SQS client's chunk on first use.
// fauxqs names its queues http://sqs.<region>.localhost:<port>/…, and the SQS client sends to
// the queue URL's host; *.localhost is loopback (RFC 6761), which the driver tells Node.
const driver = `
import dns from 'node:dns';
const lookup = dns.lookup;
dns.lookup = (name, options, callback) => !name.endsWith('.localhost') ? lookup(name, options, callback)
  : options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4);
const { handler } = await import('./worker.mjs');
const event = JSON.parse(process.argv[2]);
const context = { getRemainingTimeInMillis: () => 60000, awsRequestId: 'bundle-test' };
const response = await handler(event, context);
process.stdout.write('RESULT ' + JSON.stringify(response) + '\\n');
`;

interface BundleRun {
  response: unknown;
  records: Record<string, unknown>[];
  emfLines: number;
}

describe('dist/worker.mjs', () => {
  let taskRoot: string;

  before(function () {
    this.timeout(120_000);
    ensureBuilt(['dist/worker.mjs']);
    taskRoot = mkdtempSync(join(tmpdir(), 'worker-bundle-'));
    copyFileSync('dist/worker.mjs', join(taskRoot, 'worker.mjs'));
    cpSync('dist/chunks', join(taskRoot, 'chunks'), { recursive: true });
    writeFileSync(join(taskRoot, 'driver.mjs'), driver);
  });

  after(() => {
    rmSync(taskRoot, { recursive: true, force: true });
  });

  async function runBundle(event: SQSEvent, env: Record<string, string> = {}): Promise<BundleRun> {
    const { stdout } = await promisify(execFile)(process.execPath, ['driver.mjs', JSON.stringify(event)], {
      cwd: taskRoot,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'info', AWS_REGION: 'eu-west-1', ...env },
    });
    const lines = stdout.trim().split('\n');
    const result = lines.find((line) => line.startsWith('RESULT '))?.slice('RESULT '.length);
    return {
      response: JSON.parse(result ?? 'null') as unknown,
      records: lines.filter((line) => line.includes('"queue record"')).map((line) => JSON.parse(line) as Record<string, unknown>),
      emfLines: lines.filter((line) => line.includes('"CloudWatchMetrics"')).length,
    };
  }

  // m-7 is a DELETE, which the app answers 405: with no DLQ it is retried and the odd group stops there.
  const batch = () => makeSqsEvent(Array.from({ length: 10 }, (_, i) => makeEnvelopeRecord(
    { method: i === 7 ? 'DELETE' : 'POST', body: Buffer.from(JSON.stringify({ n: i })) },
    { messageId: `m-${i}`, groupId: i % 2 === 0 ? 'even' : 'odd', sentAt: Date.now() },
  )));

  it('processes a 10-record FIFO batch with no node_modules beside it', async () => {
    const run = await runBundle(batch());

    expect(run.response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: 'm-7' }, { itemIdentifier: 'm-9' }] });
    expect(run.records.map((l) => [l.messageId, l.outcome, l.status ?? null])).to.deep.equal([
      ['m-0', 'done', 200], ['m-1', 'done', 200], ['m-2', 'done', 200], ['m-3', 'done', 200], ['m-4', 'done', 200],
      ['m-5', 'done', 200], ['m-6', 'done', 200], ['m-7', 'retry', 405], ['m-8', 'done', 200], ['m-9', 'retry', null],
    ]);
    expect(run.emfLines).to.equal(1);
  });

  it('never reads the local server settings: a PORT or LOCAL_MODE of no use to Lambda stops nothing', async () => {
    const run = await runBundle(batch(), { PORT: 'not a port', HOST: ' ', LOCAL_MODE: 'sideways', QUEUE_URL: 'not a queue' });

    expect(run.response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: 'm-7' }, { itemIdentifier: 'm-9' }] });
  });

  it('parks in the DLQ named by DLQ_URL', async () => {
    const queue = await startLocalQueue();
    try {
      const run = await runBundle(batch(), {
        DLQ_URL: queue.dlqUrl,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      });

      const { Messages = [] } = await queue.client.send(new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MessageAttributeNames: ['All'] }));
      expect(run.response).to.deep.equal({ batchItemFailures: [] });
      expect(Messages.map((m) => [m.MessageAttributes?.parkReason?.StringValue, m.MessageAttributes?.parkDetail?.StringValue])).to.deep.equal([
        ['http_status', 'The app answered 405 method_not_allowed'],
      ]);
    } finally {
      await queue.stop();
    }
  });
});
