import type * as SqsSdk from '@aws-sdk/client-sqs';
import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { toSendAttributes } from '../../shared/queue-message/attributes.ts';
import { sqsMaxMessageBytes } from '../../shared/queue-message/size.ts';
import type { Reason } from './outcome.ts';

export type Park = (record: SQSRecord, reason: Reason, detail: string, timeoutMs: number) => Promise<void>;

/** The longest park detail kept in the DLQ's attributes (and in the worker's log line). */
export const maxDetailLength = 1024;
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
// The DLQ, like the queue, takes messages of sqsMaxMessageBytes (infra/service.yaml, npm start).
const maxAttributes = 10;

/**
 * Sends a record to the DLQ as it came (body, message attributes, same message group, the
 * original message id as deduplication id, so a repeated park is dropped), adding the reason
 * as attributes. Throws when the send fails: the caller then retries the record.
 */
export function createParker(options: { dlqUrl: string; sqs?: SQSClient }): Park {
  // The SDK is imported on the first park, not at cold start: most batches park nothing.
  let sdk: Promise<typeof SqsSdk> | undefined;
  let sqs: SQSClient | undefined = options.sqs;

  return async (record, reason, detail, timeoutMs) => {
    const { SendMessageCommand, SQSClient } = await (sdk ??= import('@aws-sdk/client-sqs'));
    sqs ??= new SQSClient({});
    const groupId = record.attributes?.MessageGroupId;
    const command = new SendMessageCommand({
      QueueUrl: options.dlqUrl,
      MessageBody: record.body,
      // A FIFO queue needs a FIFO DLQ; a standard queue's DLQ takes neither id.
      ...(groupId ? { MessageGroupId: groupId, MessageDeduplicationId: record.messageId } : {}),
      MessageAttributes: withReason(record.body, toSendAttributes(record.messageAttributes), reason, detail),
    });
    await sqs.send(command, { abortSignal: AbortSignal.timeout(timeoutMs) });
  };
}

/**
 * The message's own attributes come first: a redrive back to the queue must decode again. The
 * reason goes in as room allows: SQS takes at most 10 attributes per message (an HTTP API message
 * may already carry 10) and counts their names, types and values in its size limit
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html),
 * which a sender can fill with the body alone. A DLQ that refused the park would have the message
 * retried, holding its group, until the redrive policy moved it. The worker's log line always
 * has the reason.
 */
function withReason(body: string, attributes: Record<string, MessageAttributeValue>, reason: Reason, detail: string): Record<string, MessageAttributeValue> {
  let count = Object.keys(attributes).length;
  let bytes = Object.entries(attributes).reduce((total, [name, value]) => total + attributeBytes(name, value), Buffer.byteLength(body, 'utf8'));
  const added: Record<string, MessageAttributeValue> = {};
  for (const [name, text] of [['parkReason', reason], ['parkDetail', detail.slice(0, maxDetailLength) || reason]] as const) {
    const value = { DataType: 'String', StringValue: text };
    if (count >= maxAttributes || bytes + attributeBytes(name, value) > sqsMaxMessageBytes) continue;
    added[name] = value;
    count += 1;
    bytes += attributeBytes(name, value);
  }
  return { ...attributes, ...added };
}

function attributeBytes(name: string, value: MessageAttributeValue): number {
  const data = value.StringValue === undefined ? (value.BinaryValue?.length ?? 0) : Buffer.byteLength(value.StringValue, 'utf8');
  return Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8') + data;
}
