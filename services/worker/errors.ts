import type { RecordReport } from './record-report.ts';

/** The app did not answer in time; its handler may still be running, so the record is retried. */
export class ReplayTimeoutError extends Error {
  override readonly name = 'ReplayTimeoutError';

  constructor(timeoutMs: number, options?: ErrorOptions) {
    super(`The app did not answer within ${timeoutMs} ms`, options);
  }
}

/** Thrown for a record to retry, so that the batch processor reports it and skips its group. */
export class RetryRecordError extends Error {
  override readonly name = 'RetryRecordError';

  constructor(report: RecordReport, options?: ErrorOptions) {
    super(`Record ${report.messageId} will be retried (${report.reason ?? 'unknown'})`, options);
  }
}
