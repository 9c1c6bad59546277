import { expect } from 'chai';
import type { LocalQueue } from '../../../../services/local/local-queue.ts';
import type { DlqEntry } from '../../../../services/local/queue-tools/dlq-entry.ts';
import { depth } from '../../../helpers/queue.ts';
import { exhaustWebhook, hour, parkUndecodable, parkWebhook, runCli, startSeedQueue } from './seed.ts';

// The queue and DLQ are fauxqs, an SQS-compatible server, on 127.0.0.1 in this process.
describe('peekCommand', () => {
  let queue: LocalQueue;

  beforeEach(async () => {
    queue = await startSeedQueue();
    const now = Date.now();
    await parkWebhook(queue, { path: '/webhook/stripe', groupId: '/webhook/stripe', status: 422, receivedAt: now - 2 * hour });
    await parkWebhook(queue, { path: '/webhook/stripe', groupId: '/webhook/stripe', status: 404, receivedAt: now - hour });
    await parkUndecodable(queue, '/webhook');
    await exhaustWebhook(queue, { path: '/webhook/github', groupId: '/webhook/github', receivedAt: now - 3 * hour });
  });

  afterEach(async () => {
    await queue.stop();
  });

  it('lists the DLQ messages it can see decoded, and consumes none', async () => {
    const { code, stdout } = await runCli(queue, ['peek', '--json']);

    expect(code).to.equal(0);
    const { messages, notShown } = JSON.parse(stdout) as { messages: DlqEntry[]; notShown: number };
    const ages = messages.map((m) => Math.round(m.ageSeconds / 3600));
    expect(messages.map(({ messageId, ageSeconds, requestId, ...rest }) => ({ ...rest, messageId: typeof messageId, ageSeconds: typeof ageSeconds, ...(requestId ? { requestId: typeof requestId } : {}) }))).to.deep.equal([
      { messageId: 'string', groupId: '/webhook/stripe', shape: 'rest-envelope-v1', method: 'POST', path: '/webhook/stripe', requestId: 'string', reason: 'http_status', detail: 'The app answered 422 rejected', receiveCount: 1, ageSeconds: 'number' },
      { messageId: 'string', groupId: '/webhook', shape: 'undecodable rest-envelope-v1', reason: 'undecodable', detail: 'Undecodable rest-envelope-v1 message: path is not valid base64', receiveCount: 1, ageSeconds: 'number' },
      { messageId: 'string', groupId: '/webhook/github', shape: 'rest-envelope-v1', method: 'POST', path: '/webhook/github', requestId: 'string', reason: 'max_receives', receiveCount: 3, ageSeconds: 'number' },
    ]);
    expect(ages).to.deep.equal([2, 0, 3]);
    expect(notShown).to.equal(1);
    expect(await depth(queue.client, queue.dlqUrl)).to.deep.equal({ visible: 4, inFlight: 0 });
  });

  it('prints one readable entry per message and says what it could not show', async () => {
    const { code, stdout } = await runCli(queue, ['peek', '--max', '1']);

    expect(code).to.equal(0);
    expect(stdout.replace(/^[0-9a-f-]{36}/, '<id>').replace(/age \d+h \d+m/, 'age <age>')).to.equal(
      '<id>  POST /webhook/stripe  http_status  receives 1  age <age>\n' +
      '    group /webhook/stripe  shape rest-envelope-v1  The app answered 422 rejected\n' +
      '3 more not shown: later messages of the groups above, or past --max.\n',
    );
  });

  it('prints what a sender chose (API Gateway decodes the path) with control characters escaped, never as terminal escape sequences', async () => {
    await queue.stop();
    queue = await startSeedQueue();
    await parkWebhook(queue, { path: '/webhook/\x1b]0;owned\x07\x1b[2J', groupId: '/webhook', status: 404, receivedAt: Date.now() });

    const { code, stdout } = await runCli(queue, ['peek']);

    expect(code).to.equal(0);
    expect([...stdout].filter((c) => c !== '\n' && /\p{Cc}/u.test(c))).to.deep.equal([]);
    expect(stdout).to.include('POST "/webhook/\\u001b]0;owned\\u0007\\u001b[2J"  http_status');
  });

  it('says so when the DLQ is empty', async () => {
    await queue.stop();
    queue = await startSeedQueue();

    const { code, stdout } = await runCli(queue, ['peek']);

    expect([code, stdout]).to.deep.equal([0, `The DLQ is empty (${queue.dlqUrl}).\n`]);
  });
});
