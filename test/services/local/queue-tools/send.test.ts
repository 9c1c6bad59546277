import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createGateway } from '../../../../services/server/gateway.ts';
import type { LocalQueue } from '../../../../services/local/local-queue.ts';
import { toSqsRecord } from '../../../../services/server/sqs-event.ts';
import { decodeRecord } from '../../../../shared/queue-message/decode.ts';
import type { ReplayRequest } from '../../../../shared/queue-message/replay-request.ts';
import { makeCapturingLogger } from '../../../../factories/logger.ts';
import { drain, listen, makeRecordingListener } from '../../../helpers/queue.ts';
import { runCli, startSeedQueue } from './seed.ts';

// The local gateway queues into fauxqs, an SQS-compatible server, on 127.0.0.1 in this process;
// no poller runs, so what `send` posted stays on the queue to be read.
describe('sendCommand', () => {
  let queue: LocalQueue;
  let gateway: Awaited<ReturnType<typeof listen>>;

  beforeEach(async () => {
    queue = await startSeedQueue();
    gateway = await listen(createGateway({ app: makeRecordingListener().listener, sqs: queue.client, queueUrl: queue.queueUrl, logger: makeCapturingLogger().logger, bodyLimit: 1024 * 1024 }));
  });

  afterEach(async () => {
    await gateway.close();
    await queue.stop();
  });

  async function queued(): Promise<ReplayRequest[]> {
    return (await drain(queue.client, queue.queueUrl)).map((m) => {
      const decoded = decodeRecord(toSqsRecord(m, ''));
      if (decoded.kind !== 'request') throw new Error('not a request');
      return decoded.request;
    });
  }

  it('posts a sample JSON webhook through the gateway and prints the answer', async () => {
    const { code, stdout } = await runCli(queue, ['send', '--url', gateway.url]);

    expect(code).to.equal(0);
    expect(stdout).to.match(/^202 \{"accepted":true,"messageId":"[0-9a-f-]{36}","requestId":"[0-9a-f-]{36}"\}\n$/);
    const [request] = await queued();
    expect([request?.path, request?.headers['content-type']]).to.deep.equal(['/webhook', 'application/json']);
    expect(JSON.parse(request!.body.toString())).to.deep.include({ type: 'sample.event' });
  });

  it('posts a form to a provider path with extra headers', async () => {
    const { code } = await runCli(queue, ['send', '--url', gateway.url, '--form', 'a=1&b=x+y%26z', '--path', '/webhook/twilio', '--header', 'I-Twilio-Idempotency-Token: tok-1', '--header', 'x-extra:  v']);

    expect(code).to.equal(0);
    const [request] = await queued();
    expect([request?.path, request?.body.toString(), request?.headers['content-type'], request?.headers['i-twilio-idempotency-token'], request?.headers['x-extra']]).to.deep.equal([
      '/webhook/twilio', 'a=1&b=x+y%26z', 'application/x-www-form-urlencoded', 'tok-1', 'v',
    ]);
  });

  it("posts a file's exact bytes with the content type of its extension", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'send-'));
    const file = join(dir, 'event.xml');
    const bytes = Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x00, 0x3c, 0x2f, 0x61, 0x3e]);
    await writeFile(file, bytes);

    const { code } = await runCli(queue, ['send', '--url', gateway.url, '--file', file]).finally(() => rm(dir, { recursive: true }));

    expect(code).to.equal(0);
    const [request] = await queued();
    expect([request?.body.equals(bytes), request?.headers['content-type']]).to.deep.equal([true, 'application/xml']);
  });

  it('posts N times with progress and a summary', async () => {
    const { code, stdout, stderr } = await runCli(queue, ['send', '--url', gateway.url, '--json', '{"a":1}', '--count', '3']);

    expect([code, stdout, stderr]).to.deep.equal([0, 'Sent 3: 3 × 202.\n', 'send: 3/3\n']);
    expect((await queued()).map((r) => r.body.toString())).to.deep.equal(['{"a":1}', '{"a":1}', '{"a":1}']);
  });

  it('exits 1 when an answer is not 2xx', async () => {
    await queue.stop();

    const { code, stdout } = await runCli(queue, ['send', '--url', gateway.url]);
    queue = await startSeedQueue();

    expect([code, stdout]).to.deep.equal([1, '503 {"error":{"code":"queue_unavailable","message":"The webhook could not be queued; retry later"}}\n']);
  });

  it('exits 1 naming the server when nothing answers', async () => {
    const closed = await listen(makeRecordingListener().listener);
    await closed.close();

    const { code, stderr } = await runCli(queue, ['send', '--url', closed.url]);

    expect([code, stderr]).to.deep.equal([1, `send failed: No answer from ${closed.url}: is the local server running (npm start)?\n`]);
  });

  it('lists every argument problem at once, exit code 2', async () => {
    const { code, stderr } = await runCli(queue, ['send', '--json', '{', '--form', 'a=1', '--path', '/api', '--header', 'nocolon', '--count', '0', '--url', 'nope']);

    expect([code, stderr]).to.deep.equal([2, [
      'send: give one of --json, --form, --file (got --json, --form)',
      '--json is not valid JSON',
      '--path must be /webhook or /webhook/<provider> (got "/api")',
      "--header must look like 'Name: value' (got \"nocolon\")",
      '--url is not a URL (got "nope")',
      '--count must be a whole number from 1 to 10000 (got "0")',
      'Run `npm run queue -- send --help` for its options.',
      '',
    ].join('\n')]);
  });
});
