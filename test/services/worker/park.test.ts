import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { createLocalSqsClient, startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import { createParker } from '../../../services/worker/park.ts';
import { makeHttpApiRecord, makeSqsRecord } from '../../../factories/sqs.ts';
import { sqsMaxMessageBytes } from '../../../shared/queue-message/size.ts';

// The DLQ is fauxqs, an SQS-compatible server, on 127.0.0.1 in this process.
async function receiveAll(queue: LocalQueue): Promise<Message[]> {
  const { Messages = [] } = await queue.client.send(new ReceiveMessageCommand({
    QueueUrl: queue.dlqUrl,
    MaxNumberOfMessages: 10,
    MessageAttributeNames: ['All'],
    MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
  }));
  return Messages;
}

describe('createParker', () => {
  let queue: LocalQueue;

  beforeEach(async () => {
    queue = await startLocalQueue();
  });

  afterEach(async () => {
    await queue.stop();
  });

  it('sends the message to the DLQ as it came, with its group, its id as dedup id and the reason', async () => {
    const park = createParker({ dlqUrl: queue.dlqUrl, sqs: queue.client });
    const record = makeHttpApiRecord({ body: 'Grüße {"a":1}', headers: { 'stripe-signature': 't=1,v1=abc' } }, { messageId: 'm-404', groupId: '/webhook/stripe' });

    await park(record, 'http_status', 'The app answered 404 not_found', 5_000);

    const [message, ...rest] = await receiveAll(queue);
    expect(rest).to.deep.equal([]);
    expect(message?.Body).to.equal('Grüße {"a":1}');
    expect(message?.Attributes).to.deep.equal({ MessageGroupId: '/webhook/stripe', MessageDeduplicationId: 'm-404' });
    const attributes = Object.fromEntries(Object.entries(message?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    expect(attributes).to.deep.equal({
      source: 'HttpApiV2SQSLambda',
      method: 'POST',
      path: '/webhook',
      requestId: 'JKJaXmPLvHcESHA=',
      requestTime: '1764000000000',
      contentType: 'application/json',
      sourceIp: '203.0.113.7',
      'h.stripe-signature': 't=1,v1=abc',
      parkReason: 'http_status',
      parkDetail: 'The app answered 404 not_found',
    });
  });

  it("adds the reason only as room allows within SQS's 10 attributes, keeping the message's own", async () => {
    const park = createParker({ dlqUrl: queue.dlqUrl, sqs: queue.client });
    const withNine = makeHttpApiRecord({ headers: { 'x-a': '1', 'x-b': '2' } }, { messageId: 'm-9', groupId: 'a' });
    const withTen = makeHttpApiRecord({ headers: { 'x-a': '1', 'x-b': '2', 'x-c': '3' } }, { messageId: 'm-10', groupId: 'b' });

    await park(withNine, 'http_status', 'The app answered 404', 5_000);
    await park(withTen, 'http_status', 'The app answered 404', 5_000);

    const names = (await receiveAll(queue)).map((m) => Object.keys(m.MessageAttributes ?? {}).sort());
    expect(names).to.deep.equal([
      ['contentType', 'h.x-a', 'h.x-b', 'method', 'parkReason', 'path', 'requestId', 'requestTime', 'source', 'sourceIp'],
      ['contentType', 'h.x-a', 'h.x-b', 'h.x-c', 'method', 'path', 'requestId', 'requestTime', 'source', 'sourceIp'],
    ]);
  });

  // A sender chooses the body's size: a message as large as the queue takes leaves no room, and
  // a park the DLQ refused would be retried, holding its group, until the redrive policy moved it.
  it("adds the reason only as room allows within SQS's size limit, which counts attributes too, and parks a message at the limit", async () => {
    const park = createParker({ dlqUrl: queue.dlqUrl, sqs: queue.client });
    const roomForReason = makeSqsRecord({ body: 'x'.repeat(sqsMaxMessageBytes - 40), messageId: 'm-reason', groupId: 'a' });
    const atTheLimit = makeSqsRecord({ body: 'x'.repeat(sqsMaxMessageBytes), messageId: 'm-full', groupId: 'b' });

    await park(roomForReason, 'http_status', 'The app answered 401 signature_mismatch', 5_000);
    await park(atTheLimit, 'http_status', 'The app answered 401 signature_mismatch', 5_000);

    const parked = (await receiveAll(queue)).map((m) => [m.Body?.length, Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]))]);
    expect(parked).to.deep.equal([[sqsMaxMessageBytes - 40, { parkReason: 'http_status' }], [sqsMaxMessageBytes, {}]]);
  });

  it('keeps binary message attributes as bytes', async () => {
    const park = createParker({ dlqUrl: queue.dlqUrl, sqs: queue.client });
    const bytes = Buffer.from([0, 1, 2, 255]);
    const record = makeSqsRecord({ messageAttributes: { blob: { dataType: 'Binary', binaryValue: bytes.toString('base64'), stringListValues: [], binaryListValues: [] } } });

    await park(record, 'undecodable', 'broken', 5_000);

    const [message] = await receiveAll(queue);
    expect(Buffer.from(message?.MessageAttributes?.blob?.BinaryValue ?? [])).to.deep.equal(bytes);
  });

  it('drops a second park of the same message (deduplicated by message id)', async () => {
    const park = createParker({ dlqUrl: queue.dlqUrl, sqs: queue.client });
    const record = makeSqsRecord({ messageId: 'm-twice', body: 'x' });

    await park(record, 'undecodable', 'broken', 5_000);
    await park(record, 'undecodable', 'broken', 5_000);

    expect((await receiveAll(queue)).map((m) => m.Body)).to.deep.equal(['x']);
  });

  it('rejects when the queue cannot be reached', async () => {
    const stopped = await startLocalQueue();
    await stopped.stop();
    const park = createParker({ dlqUrl: stopped.dlqUrl, sqs: createLocalSqsClient(stopped.endpoint) });

    const error = await park(makeSqsRecord(), 'undecodable', 'broken', 5_000).then(() => undefined, (e: unknown) => e);

    expect(error).to.be.instanceOf(Error);
    expect((error as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
  });
});
