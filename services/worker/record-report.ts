import type { SQSRecord } from 'aws-lambda';
import type { QueueMetadata } from '../../shared/origin.ts';
import type { MessageShape } from '../../shared/queue-message/shapes.ts';
import type { Outcome, Reason } from './outcome.ts';

/** What the worker did with one record: its log line and its metrics. Never the body. */
// A type, not an interface: it is a logger's LogFields as it is, with no copy.
export type RecordReport = {
  messageId: string;
  groupId?: string;
  receiveCount: number;
  shape?: MessageShape | 'unrecognized';
  /** API Gateway's request id, as the app's `x-request-id` and log lines carry it. */
  requestId?: string;
  method?: string;
  path?: string;
  status?: number;
  outcome: Outcome;
  reason?: Reason;
  detail?: string;
  /** The whole record, parking included. */
  durationMs: number;
  /** The replay alone, when there was one. */
  replayMs?: number;
  /** Now minus when API Gateway received the request (SQS's sent time when the message does not say). */
  queueLagMs?: number;
};

/**
 * The queue facts of a record. Lambda sends every attribute as a string
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html); a record missing them still
 * gets a report.
 */
export function queueMetadata(record: SQSRecord): QueueMetadata {
  const attributes = (record.attributes ?? {}) as Partial<SQSRecord['attributes']>;
  const receiveCount = Number(attributes.ApproximateReceiveCount);
  const sentAt = Number(attributes.SentTimestamp);
  return {
    messageId: record.messageId,
    ...(attributes.MessageGroupId ? { groupId: attributes.MessageGroupId } : {}),
    ...(attributes.SequenceNumber ? { sequenceNumber: attributes.SequenceNumber } : {}),
    receiveCount: Number.isInteger(receiveCount) ? receiveCount : 0,
    ...(Number.isFinite(sentAt) && sentAt > 0 ? { sentAt } : {}),
  };
}

/** The fields that name a record in its log line. */
export function identityOf(queue: QueueMetadata): Pick<RecordReport, 'messageId' | 'groupId' | 'receiveCount'> {
  return { messageId: queue.messageId, ...(queue.groupId ? { groupId: queue.groupId } : {}), receiveCount: queue.receiveCount };
}
