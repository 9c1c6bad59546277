import type { SQSRecord } from 'aws-lambda';
import { isObject } from '../../shared/is-object.ts';
import type { Logger } from '../../shared/logger.ts';

/**
 * The records of an SQS event that the worker can answer for: objects with a message id, the
 * only thing `batchItemFailures` can name. Lambda's SQS event source never sends anything
 * else, but the function must not depend on that (a test invocation, another trigger): an
 * event that is not `{ Records: [...] }` and each record without a message id are logged,
 * bounded and by position, and left out, never thrown on.
 */
export function readRecords(event: unknown, logger: Logger): SQSRecord[] {
  const records = isObject(event) ? event.Records : undefined;
  if (!Array.isArray(records)) {
    logger.error('invalid event', { problem: 'the event has no Records list', eventType: event === null ? 'null' : Array.isArray(event) ? 'array' : typeof event });
    return [];
  }
  const usable: SQSRecord[] = [];
  const unusable: number[] = [];
  records.forEach((record: unknown, index) => {
    if (isObject(record) && typeof record.messageId === 'string' && record.messageId !== '') usable.push(record as unknown as SQSRecord);
    else unusable.push(index);
  });
  if (unusable.length > 0) {
    logger.error('records without a message id skipped', { records: records.length, skipped: unusable.length, positions: unusable.slice(0, 10) });
  }
  return usable;
}
