import { SendMessageCommand, SQSClient, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord } from 'aws-lambda';
import type { Reason } from './outcome.ts';

export type Park = (record: SQSRecord, reason: Reason, detail: string, timeoutMs: number) => Promise<void>;

const maxDetailLength = 1024;

/**
 * Sends a record to the DLQ as it came (body, message attributes, same message group, the
 * original message id as deduplication id, so a repeated park is dropped), adding the reason
 * as attributes. Throws when the send fails: the caller then retries the record.
 */
export function createParker(options: { dlqUrl: string; sqs?: SQSClient }): Park {
  const sqs = options.sqs ?? new SQSClient({});

  return async (record, reason, detail, timeoutMs) => {
    const groupId = record.attributes?.MessageGroupId;
    const command = new SendMessageCommand({
      QueueUrl: options.dlqUrl,
      MessageBody: record.body,
      // A FIFO queue needs a FIFO DLQ; a standard queue's DLQ takes neither id.
      ...(groupId ? { MessageGroupId: groupId, MessageDeduplicationId: record.messageId } : {}),
      // SQS allows 10 attributes per message and a park adds two: a message may carry at most 8.
      MessageAttributes: {
        ...toSendAttributes(record.messageAttributes),
        parkReason: { DataType: 'String', StringValue: reason },
        parkDetail: { DataType: 'String', StringValue: detail.slice(0, maxDetailLength) || reason },
      },
    });
    await sqs.send(command, { abortSignal: AbortSignal.timeout(timeoutMs) });
  };
}

/**
 * Lambda's event spells attributes `stringValue`/`binaryValue` (base64); SendMessage wants
 * `StringValue`/`BinaryValue` bytes. An attribute with no usable value (only a hand-made
 * record has one) is left out: SQS would refuse the whole message for it.
 */
function toSendAttributes(attributes: SQSRecord['messageAttributes'] | undefined): Record<string, MessageAttributeValue> {
  const converted: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes ?? {}) as [string, Partial<SQSMessageAttribute> | null][]) {
    if (typeof value?.dataType !== 'string') continue;
    if (typeof value.stringValue === 'string') converted[name] = { DataType: value.dataType, StringValue: value.stringValue };
    else if (typeof value.binaryValue === 'string') converted[name] = { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, 'base64') };
  }
  return converted;
}
