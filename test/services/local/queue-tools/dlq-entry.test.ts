import type { Message } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { describeDlqMessage, formatAge } from '../../../../services/local/queue-tools/dlq-entry.ts';
import { encodeRestEnvelope } from '../../../../shared/queue-message/envelope.ts';
import { makeReplayRequest, sampleTime } from '../../../../factories/sqs.ts';

/** A DLQ message as ReceiveMessage returns it. */
function makeDlqMessage(overrides: { body?: string; attributes?: Record<string, string>; sentAt?: number; receiveCount?: number } = {}): Message {
  return {
    MessageId: 'dlq-1',
    ReceiptHandle: 'handle',
    Body: overrides.body ?? encodeRestEnvelope(makeReplayRequest({ path: '/webhook/stripe' })),
    Attributes: {
      ApproximateReceiveCount: String(overrides.receiveCount ?? 1),
      SentTimestamp: String(overrides.sentAt ?? sampleTime),
      MessageGroupId: '/webhook/stripe',
    },
    MessageAttributes: Object.fromEntries(Object.entries(overrides.attributes ?? {}).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
  };
}

describe('describeDlqMessage', () => {
  it("reads a parked webhook's request, reason, and age since API Gateway received it", () => {
    const message = makeDlqMessage({ attributes: { parkReason: 'http_status', parkDetail: 'The app answered 422 rejected' }, sentAt: sampleTime + 60_000, receiveCount: 2 });

    expect(describeDlqMessage(message, sampleTime + 90_000)).to.deep.equal({
      messageId: 'dlq-1',
      groupId: '/webhook/stripe',
      shape: 'rest-envelope-v1',
      method: 'POST',
      path: '/webhook/stripe',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      reason: 'http_status',
      detail: 'The app answered 422 rejected',
      receiveCount: 2,
      ageSeconds: 90,
    });
  });

  it('names a message without park attributes as moved after max_receives', () => {
    expect(describeDlqMessage(makeDlqMessage(), sampleTime).reason).to.equal('max_receives');
  });

  it('counts the age of an undecodable message from when it was sent', () => {
    const message = makeDlqMessage({ body: '{"source":"ApiGatewayV1SQSLambda","envelopeVersion":2}', attributes: { parkReason: 'undecodable' }, sentAt: sampleTime });

    expect(describeDlqMessage(message, sampleTime + 5_000)).to.deep.equal({
      messageId: 'dlq-1', groupId: '/webhook/stripe', shape: 'undecodable rest-envelope-v1', reason: 'undecodable', receiveCount: 1, ageSeconds: 5,
    });
  });

  it('shows a hand-sent message as unrecognized', () => {
    expect(describeDlqMessage(makeDlqMessage({ body: 'hello' }), sampleTime).shape).to.equal('unrecognized');
  });
});

describe('formatAge', () => {
  it('shows the two largest units', () => {
    expect([0, 5, 61, 3600, 3725, 90_061, 200_000].map(formatAge)).to.deep.equal(['0s', '5s', '1m 1s', '1h 0m', '1h 2m', '1d 1h', '2d 7h']);
  });
});
