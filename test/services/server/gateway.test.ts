import { expect } from 'chai';
import { createGateway, type GatewayDelivery } from '../../../services/server/gateway.ts';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import { toSqsRecord } from '../../../services/server/sqs-event.ts';
import { decodeRecord } from '../../../shared/queue-message/decode.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';
import { sendRaw } from '../../helpers/raw-http.ts';
import { depth, drain, listen, makeRecordingListener } from '../../helpers/queue.ts';

// The queue is fauxqs, an SQS-compatible server, on 127.0.0.1 in this process.
describe('createGateway', () => {
  let queue: LocalQueue;
  let gateway: Awaited<ReturnType<typeof listen>>;
  let app: ReturnType<typeof makeRecordingListener>;
  let lines: Record<string, unknown>[];

  async function startGateway(options: { bodyLimit?: number; queueUrl?: string; maxMessageBytes?: number; onDelivery?: (delivery: GatewayDelivery) => void; trustProxy?: boolean } = {}): Promise<void> {
    await gateway?.close();
    const capture = makeCapturingLogger();
    lines = capture.lines;
    gateway = await listen(createGateway({
      app: app.listener,
      sqs: queue.client,
      queueUrl: options.queueUrl ?? queue.queueUrl,
      logger: capture.logger,
      bodyLimit: options.bodyLimit ?? 1024 * 1024,
      onDelivery: options.onDelivery,
      ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
      trustProxy: options.trustProxy,
    }));
  }

  beforeEach(async () => {
    queue = await startLocalQueue();
    app = makeRecordingListener();
    await startGateway();
  });

  afterEach(async () => {
    await gateway.close();
    await queue.stop();
  });

  it('queues a webhook as the REST API envelope and answers 202 with the message id', async () => {
    const body = Buffer.from([0x7b, 0x22, 0xff, 0x00, 0xc3, 0x28, 0x7d]);

    const response = await fetch(`${gateway.url}/webhook/stripe?a=1&a=2&b=%20x`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'stripe-signature': "t=1,v1=a'b\"c" },
      body,
    });

    expect(response.status).to.equal(202);
    const answer = (await response.json()) as { messageId: string; requestId: string };
    expect(answer).to.deep.equal({ accepted: true, messageId: answer.messageId, requestId: answer.requestId });
    expect(response.headers.get('x-amzn-requestid')).to.equal(answer.requestId);
    const [message, ...others] = await drain(queue.client, queue.queueUrl);
    expect(others).to.deep.equal([]);
    expect(message?.MessageId).to.equal(answer.messageId);
    expect(message?.Attributes?.MessageGroupId).to.equal('/webhook/stripe');
    expect(message?.Attributes?.MessageDeduplicationId).to.equal(answer.requestId);
    const decoded = decodeRecord(toSqsRecord(message!, 'arn:aws:sqs:us-east-1:000000000000:webhooks.fifo'));
    expect(decoded.kind === 'request' && decoded.shape).to.equal('rest-envelope-v1');
    const request = decoded.kind === 'request' ? decoded.request : undefined;
    expect(request?.body.equals(body)).to.equal(true);
    expect({ ...request, body: undefined, receivedAt: typeof request?.receivedAt, headers: undefined }).to.deep.equal({
      method: 'POST',
      path: '/webhook/stripe',
      query: [['a', '1'], ['a', '2'], ['b', ' x']],
      rawQuery: 'a=1&a=2&b=%20x',
      body: undefined,
      headers: undefined,
      requestId: answer.requestId,
      receivedAt: 'number',
      sourceIp: '127.0.0.1',
      domainName: gateway.url.slice('http://'.length),
      stage: 'local',
    });
    expect(request?.headers).to.include({ 'content-type': 'application/octet-stream', 'stripe-signature': "t=1,v1=a'b\"c", 'content-length': '7' });
    expect(app.seen).to.deep.equal([]);
  });

  it("takes the message group from the route's header and the dedup id from its own request id, never a delivery id", async () => {
    const headers = { 'content-type': 'application/json', 'x-shopify-shop-domain': 'shop-1.myshopify.com', 'x-shopify-webhook-id': 'wh-42' };

    const first = await fetch(`${gateway.url}/webhook/shopify`, { method: 'POST', headers, body: '{"n":1}' });
    const second = await fetch(`${gateway.url}/webhook/shopify`, { method: 'POST', headers, body: '{"n":1}' });

    const requestIds = [first.headers.get('x-amzn-requestid'), second.headers.get('x-amzn-requestid')];
    const messages = await drain(queue.client, queue.queueUrl);
    expect([first.status, second.status]).to.deep.equal([202, 202]);
    expect(messages.map((m) => [m.Attributes?.MessageGroupId, m.Attributes?.MessageDeduplicationId])).to.deep.equal([
      ['/webhook/shopify#shop-1.myshopify.com', requestIds[0]],
      ['/webhook/shopify#shop-1.myshopify.com', requestIds[1]],
    ]);
  });

  it("gives each of its own answers (202, 413, 503) the gateway's request id in x-request-id", async () => {
    await startGateway({ bodyLimit: 10 });
    const post = (body: string) => fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-request-id': 'caller-id' }, body });

    const accepted = await post('{}');
    const tooLarge = await post('12345678901');
    await queue.stop();
    const refused = await post('{}');
    queue = await startLocalQueue();

    const ids = [accepted, tooLarge, refused].map((r) => [r.status, r.headers.get('x-request-id') === r.headers.get('x-amzn-requestid'), r.headers.get('x-request-id')?.length]);
    expect(ids).to.deep.equal([[202, true, 36], [413, true, 36], [503, true, 36]]);
    expect(((await accepted.json()) as { requestId: string }).requestId).to.equal(accepted.headers.get('x-request-id'));
  });

  it('takes the client address from the last X-Forwarded-For entry behind a load balancer, and from the socket otherwise', async () => {
    const post = () => fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-forwarded-for': '198.51.100.7, 203.0.113.9' }, body: 'x' });
    const sourceIps = async () => (await drain(queue.client, queue.queueUrl)).map((m) => {
      const decoded = decodeRecord(toSqsRecord(m, ''));
      return decoded.kind === 'request' ? decoded.request.sourceIp : undefined;
    });

    await post();
    const direct = await sourceIps();
    await startGateway({ trustProxy: true });
    await post();
    const proxied = await sourceIps();

    // The balancer appends the address it saw; earlier entries are the client's word.
    expect([direct, proxied]).to.deep.equal([['127.0.0.1'], ['203.0.113.9']]);
  });

  it('passes every request but webhook POSTs straight to the app', async () => {
    const answers = await Promise.all([
      fetch(`${gateway.url}/webhook`),
      fetch(`${gateway.url}/health`),
      fetch(`${gateway.url}/api/things`, { method: 'POST', body: '{}' }),
      fetch(`${gateway.url}/webhooks`, { method: 'POST', body: '{}' }),
    ]);

    expect(answers.map((a) => a.status)).to.deep.equal([299, 299, 299, 299]);
    expect([...app.seen].sort()).to.deep.equal(['GET /health', 'GET /webhook', 'POST /api/things', 'POST /webhooks']);
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('answers 413 and queues nothing past the body limit', async () => {
    await startGateway({ bodyLimit: 10 });

    const response = await fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '12345678901' });

    expect(response.status).to.equal(413);
    expect(await response.json()).to.deep.equal({ error: { code: 'payload_too_large', message: 'Body exceeds the limit of 10 bytes' } });
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('answers 413, never 5xx, to a body no message of the queue can carry, and queues nothing', async () => {
    // SQS takes at most 1 MiB; 800 KB grows past that once base64-encoded in the envelope.
    await startGateway({ bodyLimit: 2 * 1024 * 1024 });

    const response = await fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(800_000) });

    expect(response.status).to.equal(413);
    expect(await response.json()).to.deep.equal({ error: { code: 'payload_too_large', message: 'Body exceeds the limit of 786432 bytes' } });
    expect(await depth(queue.client, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('answers 413 to a body that fits alone but not with the headers around it, measuring the message', async () => {
    await startGateway({ maxMessageBytes: 2000 });
    const headers = { 'content-type': 'text/plain', 'x-padding': 'p'.repeat(500) };

    const small = await fetch(`${gateway.url}/webhook`, { method: 'POST', headers, body: 'x'.repeat(100) });
    const large = await fetch(`${gateway.url}/webhook`, { method: 'POST', headers, body: 'x'.repeat(900) });

    expect([small.status, large.status]).to.deep.equal([202, 413]);
    const { error } = (await large.json()) as { error: { code: string; message: string } };
    expect(error.code).to.equal('payload_too_large');
    expect(error.message).to.match(/^The webhook makes a \d+-byte queue message; the queue takes 2000 \(bodies up to 0 bytes always fit\)$/);
    expect(lines.filter((l) => l.message === 'webhook too large to queue').map((l) => [l.bytes, l.maxMessageBytes])).to.deep.equal([[900, 2000]]);
    expect((await drain(queue.client, queue.queueUrl)).length).to.equal(1);
  });

  it('answers 413 to a chunked body past the limit, rather than cutting the connection', async () => {
    await startGateway({ bodyLimit: 1000 });

    const answer = await sendRaw(gateway.url, `POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${'x'.repeat(0x800)}\r\n0\r\n\r\n`);

    expect(answer.status).to.equal(413);
    expect(JSON.parse(answer.body)).to.deep.equal({ error: { code: 'payload_too_large', message: 'Body exceeds the limit of 1000 bytes' } });
  });

  it('answers 503 when the queue does not exist', async () => {
    await startGateway({ queueUrl: queue.queueUrl.replace('webhooks.fifo', 'missing.fifo') });

    const response = await fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

    expect(response.status).to.equal(503);
    expect(lines.filter((l) => l.message === 'webhook not queued').map((l) => l.errorName)).to.deep.equal(['QueueDoesNotExist']);
  });

  it('answers 5xx to every webhook while the queue is down', async () => {
    await queue.stop();

    const statuses = await Promise.all(Array.from({ length: 5 }, (_, n) =>
      fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"n":${n}}` }).then((r) => r.status)));

    expect(statuses).to.deep.equal([503, 503, 503, 503, 503]);
    expect(lines.filter((l) => l.message === 'webhook not queued')).to.have.length(5);
    queue = await startLocalQueue();
  });

  describe('onDelivery', () => {
    it('tells the observer of each queued, refused and oversized webhook, with the request it queued', async () => {
      const seen: GatewayDelivery[] = [];
      await startGateway({ bodyLimit: 20, onDelivery: (delivery) => seen.push(delivery) });
      const post = (path: string, body: string) => fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-a': 'b' }, body });

      const queued = (await (await post('/webhook/stripe?k=v', 'hello')).json()) as { messageId: string; requestId: string };
      await post('/webhook', 'x'.repeat(21));
      await post('/health', 'not a webhook');

      expect(seen.map(({ request, receivedAt, ...rest }) => ({ ...rest, receivedAt: typeof receivedAt, body: request?.body.toString(), query: request?.query, header: request?.headers['x-a'] }))).to.deep.equal([
        { requestId: queued.requestId, receivedAt: 'number', path: '/webhook/stripe', status: 202, messageId: queued.messageId, groupId: '/webhook/stripe', body: 'hello', query: [['k', 'v']], header: 'b' },
        { requestId: seen[1]?.requestId, receivedAt: 'number', path: '/webhook', status: 413, body: undefined, query: undefined, header: undefined },
      ]);
    });

    it('logs an observer that throws and still answers the webhook', async () => {
      await startGateway({ onDelivery: () => { throw new Error('observer broke'); } });

      const response = await fetch(`${gateway.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

      expect(response.status).to.equal(202);
      expect(lines.filter((l) => l.message === 'delivery observer failed').map((l) => l.errorMessage)).to.deep.equal(['observer broke']);
    });
  });
});
