// The events every benchmark part sends, so the floor and our handlers answer the same requests.
import { createHash } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { encodeRestEnvelope } from '../services/worker/envelope.ts';
import type { ReplayRequest } from '../services/worker/replay-request.ts';

/** A small JSON webhook, the size of a typical payment notification. */
export function webhookRequest(index: number): ReplayRequest {
  const body = JSON.stringify({ id: `evt_${index}`, type: 'payment.succeeded', amount: 1999 + index, currency: 'eur', metadata: { order: `ord_${index}` } });
  return {
    method: 'POST',
    path: '/webhook',
    query: [],
    headers: { 'content-type': 'application/json', 'user-agent': 'bench/1.0' },
    body: Buffer.from(body, 'utf8'),
    requestId: `req-${index}`,
    receivedAt: 1_764_000_000_000 + index,
    sourceIp: '203.0.113.7',
    domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
    stage: 'prod',
  };
}

/** A FIFO batch of `size` REST-envelope messages of one group, numbered from `first`. */
export function webhookBatch(size: number, first = 0): SQSEvent {
  return { Records: Array.from({ length: size }, (_, i) => webhookRecord(first + i)) };
}

function webhookRecord(index: number): SQSRecord {
  const body = encodeRestEnvelope(webhookRequest(index));
  return {
    messageId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    receiptHandle: `handle-${index}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(1_764_000_000_000 + index),
      SequenceNumber: String(18_849_496_460_467_696_128n + BigInt(index)),
      MessageGroupId: '/webhook',
      SenderId: 'AIDAIO23YVJENQZJOL4VO',
      MessageDeduplicationId: `req-${index}`,
      ApproximateFirstReceiveTimestamp: String(1_764_000_000_000 + index),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:webhooks.fifo',
    awsRegion: 'eu-west-1',
  };
}
