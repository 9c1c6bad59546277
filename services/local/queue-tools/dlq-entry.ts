import type { Message } from '@aws-sdk/client-sqs';
import { decodeRecord } from '../../../shared/queue-message/decode.ts';
import { MessageDecodeError } from '../../../shared/queue-message/errors.ts';
import { toSqsRecord } from '../../server/sqs-event.ts';

/** The message attributes services/worker/park.ts adds when it parks a message. */
export const parkAttributeNames: readonly string[] = ['parkReason', 'parkDetail'];

/** A DLQ message as an operator reads it. Never the body: it may hold personal data. */
export interface DlqEntry {
  messageId: string;
  groupId?: string;
  shape: string;
  method?: string;
  path?: string;
  /** API Gateway's request id, when the message carries it. */
  requestId?: string;
  /** The worker's `parkReason`, or `max_receives` when the redrive policy moved it. */
  reason: string;
  detail?: string;
  /** SQS's ApproximateReceiveCount; receives on the DLQ (this look included) count too. */
  receiveCount: number;
  /** Since API Gateway received the webhook, else since the message was sent to this queue. */
  ageSeconds: number;
}

/** Decodes a received DLQ message with the worker's own decoder. */
export function describeDlqMessage(message: Message, now = Date.now()): DlqEntry {
  const record = toSqsRecord(message, '');
  const attribute = (name: string) => record.messageAttributes[name]?.stringValue;
  let decoded: Pick<DlqEntry, 'shape' | 'method' | 'path' | 'requestId'> & { receivedAt?: number };
  try {
    const result = decodeRecord(record);
    decoded = result.kind === 'request'
      ? { shape: result.shape, method: result.request.method, path: result.request.path, ...(result.request.requestId ? { requestId: result.request.requestId } : {}), receivedAt: result.request.receivedAt }
      : { shape: 'unrecognized' };
  } catch (error) {
    if (!(error instanceof MessageDecodeError)) throw error;
    decoded = { shape: `undecodable ${error.shape}` };
  }
  const { receivedAt, ...shown } = decoded;
  const since = receivedAt ?? Number(record.attributes.SentTimestamp);
  const detail = attribute('parkDetail');
  return {
    messageId: record.messageId,
    ...(record.attributes.MessageGroupId ? { groupId: record.attributes.MessageGroupId } : {}),
    ...shown,
    reason: attribute('parkReason') ?? 'max_receives',
    ...(detail ? { detail } : {}),
    receiveCount: Number(record.attributes.ApproximateReceiveCount),
    ageSeconds: Number.isFinite(since) && since > 0 ? Math.max(0, Math.round((now - since) / 1000)) : 0,
  };
}

/** `3725` → `1h 2m`: the two largest units. */
export function formatAge(seconds: number): string {
  const units: [string, number][] = [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || (parts.length > 0 && parts.length < 2)) parts.push(`${count}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? '0s' : parts.join(' ');
}
