import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { expect } from 'chai';
import { startLocalQueue } from '../../../services/local/local-queue.ts';
import { signTwilio } from '../../../factories/signatures.ts';
import { makeEnvelopeRecord, makeHttpApiFramedRecord, makeSqsEvent } from '../../../factories/sqs.ts';
import { testPublicHost, testSecrets } from '../../../factories/webhooks.ts';
import { useTaskRoot } from '../../helpers/bundle.ts';

// The built entry and its chunks, alone in a directory with no node_modules, run by a plain
// Node process (no tsx) the way the Lambda runtime imports the image's `worker.handler`; parking
// loads the SQS client's chunk on first use.
interface BundleRun {
  response: unknown;
  records: Record<string, unknown>[];
  emfLines: number;
}

describe('dist/worker.mjs', () => {
  const taskRoot = useTaskRoot();

  async function runBundle(event: SQSEvent, env: Record<string, string> = {}): Promise<BundleRun> {
    const { answers, lines } = await taskRoot().invoke('worker', [event], env);
    return {
      response: answers[0] && 'result' in answers[0] ? answers[0].result : answers[0],
      records: lines.filter((line) => line.message === 'queue record'),
      emfLines: lines.filter((line) => '_aws' in line).length,
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

  // An HTTP API hands integrations the path percent-decoded (https://github.com/honojs/hono/issues/2156):
  // a %0A on POST /webhook/{proxy+} splits the frame's path line, which must add no header.
  it('parks an HTTP API message whose path holds a line break, and replays the one beside it', async () => {
    const queue = await startLocalQueue();
    try {
      const records = [
        makeHttpApiFramedRecord({ path: '/webhook/acme\nx-smuggled: yes' }, { messageId: 'split', groupId: '/webhook' }),
        makeHttpApiFramedRecord({ path: '/webhook' }, { messageId: 'plain', groupId: '/webhook' }),
      ];

      const run = await runBundle(makeSqsEvent(records), { DLQ_URL: queue.dlqUrl, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });

      const { Messages = [] } = await queue.client.send(new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MessageAttributeNames: ['All'] }));
      expect(run.response).to.deep.equal({ batchItemFailures: [] });
      expect(run.records.map((l) => [l.messageId, l.outcome, l.reason ?? null, l.status ?? null])).to.deep.equal([
        ['split', 'parked', 'undecodable', null],
        ['plain', 'done', null, 200],
      ]);
      expect(Messages.map((m) => [m.Body, m.MessageAttributes?.parkReason?.StringValue])).to.deep.equal([[records[0]?.body, 'undecodable']]);
    } finally {
      await queue.stop();
    }
  });

  it('never throws for {}, null, Records: null or Records: [null], and logs each', async () => {
    const events = [{}, null, { Records: null }, { Records: [null] }];

    const { answers, lines } = await taskRoot().invoke('worker', events);

    expect(answers).to.deep.equal(events.map(() => ({ result: { batchItemFailures: [] } })));
    expect(lines.filter((line) => line.level === 'error').map((line) => line.message)).to.deep.equal([
      'invalid event', 'invalid event', 'invalid event', 'records without a message id skipped',
    ]);
  });

  it("logs the app's lines under API Gateway's request id, not a queued X-Request-Id", async () => {
    const record = makeEnvelopeRecord({
      path: '/webhook/github',
      requestId: 'gateway-request-1',
      headers: { 'content-type': 'application/json', 'x-request-id': 'chosen-by-the-caller', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
    });

    const { lines } = await taskRoot().invoke('worker', [makeSqsEvent([record])], { GITHUB_WEBHOOK_SECRETS: testSecrets.github });

    const rejected = lines.find((line) => line.message === 'signature rejected');
    expect([rejected?.requestId, rejected?.reason]).to.deep.equal(['gateway-request-1', 'signature_mismatch']);
  });

  it('verifies Twilio webhooks whose URL has a query, from the decoded pairs API Gateway passes', async () => {
    const queries = ['tenant=acme:eu', 'cb=a%20b', 'debug', 'ids=1,2'];
    const records = queries.map((query, i) => {
      const params = { MessageSid: `SM${i}`, Body: 'hi' };
      return makeEnvelopeRecord({
        path: '/webhook/twilio',
        query: [...new URLSearchParams(query)],
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilio(testSecrets.twilio, `https://${testPublicHost}/webhook/twilio?${query}`, params) },
        body: Buffer.from(new URLSearchParams(params).toString()),
      }, { messageId: `t-${i}` });
    });

    const { lines } = await taskRoot().invoke('worker', [makeSqsEvent(records)], { TWILIO_AUTH_TOKENS: testSecrets.twilio, PUBLIC_HOST_NAME: testPublicHost });

    expect(lines.filter((line) => line.message === 'queue record').map((line) => [line.messageId, line.outcome, line.status])).to.deep.equal(
      queries.map((_, i) => [`t-${i}`, 'done', 200]),
    );
  });
});
