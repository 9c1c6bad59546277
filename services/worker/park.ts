import type * as SqsSdk from '@aws-sdk/client-sqs';
import type { MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { toSendAttributes } from '../../shared/queue-message/attributes.ts';
import type { Reason } from './outcome.ts';

export type Park = (record: SQSRecord, reason: Reason, detail: string, timeoutMs: number) => Promise<void>;

/** The longest park detail kept in the DLQ's attributes (and in the worker's log line). */
export const maxDetailLength = 1024;
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
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
      MessageAttributes: withReason(toSendAttributes(record.messageAttributes), reason, detail),
    });
    await sqs.send(command, { abortSignal: AbortSignal.timeout(timeoutMs) });
  };
}

/**
 * The message's own attributes come first: a redrive back to the queue must decode again.
 * SQS takes at most 10 per message, so the reason goes in as room allows (an HTTP API message
 * may already carry 10); the worker's log line always has it.
 */
function withReason(attributes: Record<string, MessageAttributeValue>, reason: Reason, detail: string): Record<string, MessageAttributeValue> {
  const reasons: [string, string][] = [['parkReason', reason], ['parkDetail', detail.slice(0, maxDetailLength) || reason]];
  const room = Math.max(0, maxAttributes - Object.keys(attributes).length);
  return { ...attributes, ...Object.fromEntries(reasons.slice(0, room).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])) };
}
