import { ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { startLocalQueue } from '../../../services/local/local-queue.ts';
import { regionOf, toSqsEvent, toSqsRecord } from '../../../services/server/sqs-event.ts';

const arn = 'arn:aws:sqs:eu-west-1:123456789012:webhooks.fifo';

/** A message as the SDK's ReceiveMessage returns it (upper camel case, binary values as bytes). */
function makeReceivedMessage(overrides: Partial<Message> = {}): Message {
  return {
    MessageId: '11d6ee51-4cc7-4302-9e22-7cd8afdaadf5',
    ReceiptHandle: 'AQEBBX8nesZEXmkhsmZeyIE8iQAMig7qw',
    MD5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    Body: 'Test message.',
    Attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1573251510774',
      SequenceNumber: '18849496460467696128',
      MessageGroupId: '1',
      SenderId: 'AIDAIO23YVJENQZJOL4VO',
      MessageDeduplicationId: '1',
      ApproximateFirstReceiveTimestamp: '1573251510774',
    },
    ...overrides,
  };
}

describe('toSqsRecord', () => {
  it('builds the record Lambda delivers from a FIFO queue', () => {
    const record = toSqsRecord(makeReceivedMessage(), arn);

    expect(record).to.deep.equal({
      messageId: '11d6ee51-4cc7-4302-9e22-7cd8afdaadf5',
      receiptHandle: 'AQEBBX8nesZEXmkhsmZeyIE8iQAMig7qw',
      body: 'Test message.',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1573251510774',
        SequenceNumber: '18849496460467696128',
        MessageGroupId: '1',
        SenderId: 'AIDAIO23YVJENQZJOL4VO',
        MessageDeduplicationId: '1',
        ApproximateFirstReceiveTimestamp: '1573251510774',
      },
      messageAttributes: {},
      md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: 'eu-west-1',
    });
  });

  it('spells message attributes in lower camel case with binary values in base64', () => {
    const message = makeReceivedMessage({
      MD5OfMessageAttributes: '582c92c5c5b6ac403040a4f3ab3115c9',
      MessageAttributes: {
        text: { DataType: 'String', StringValue: 'AttributeValue1' },
        count: { DataType: 'Number', StringValue: '123' },
        blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 255]) },
      },
    });

    const record = toSqsRecord(message, arn);

    expect(record.md5OfMessageAttributes).to.equal('582c92c5c5b6ac403040a4f3ab3115c9');
    expect(record.messageAttributes).to.deep.equal({
      text: { stringValue: 'AttributeValue1', stringListValues: [], binaryListValues: [], dataType: 'String' },
      count: { stringValue: '123', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      blob: { binaryValue: 'AAH/', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
  });

  it('turns what fauxqs answers into the same shape', async () => {
    const queue = await startLocalQueue();
    try {
      await queue.client.send(new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: '{"id":1}',
        MessageGroupId: '/webhook',
        MessageDeduplicationId: 'd-1',
        MessageAttributes: { source: { DataType: 'String', StringValue: 'HttpApiV2SQSLambda' } },
      }));
      const { Messages = [] } = await queue.client.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }));

      const { Records: [record] } = toSqsEvent(Messages, arn);

      expect({ ...record!.attributes, SentTimestamp: 'time', ApproximateFirstReceiveTimestamp: 'time' }).to.deep.equal({
        ApproximateReceiveCount: '1',
        SentTimestamp: 'time',
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: 'time',
        SequenceNumber: '00000000000000000001',
        MessageGroupId: '/webhook',
        MessageDeduplicationId: 'd-1',
      });
      expect(record!.messageAttributes).to.deep.equal({ source: { stringValue: 'HttpApiV2SQSLambda', stringListValues: [], binaryListValues: [], dataType: 'String' } });
    } finally {
      await queue.stop();
    }
  });
});

describe('regionOf', () => {
  it('reads the region of a queue ARN', () => {
    expect([regionOf(arn), regionOf('not-an-arn')]).to.deep.equal(['eu-west-1', '']);
  });
});
