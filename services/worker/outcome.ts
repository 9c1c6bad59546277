/**
 * What happens to a record (README.md "Worker", Outcomes):
 * - `done`: handled (2xx); Lambda deletes it.
 * - `retry`: reported in `batchItemFailures`; SQS redelivers it, and after `maxReceiveCount`
 *   its redrive policy moves it to the DLQ.
 * - `parked`: the worker sent it to the DLQ itself, with the reason, then acknowledged it.
 * - `logged`: not a shape API Gateway makes (sent by hand); logged with its payload and
 *   acknowledged, as the original service did.
 */
export type Outcome = 'done' | 'retry' | 'parked' | 'logged';

/** Why a record was retried or parked; stable strings for logs, alarms and DLQ attributes. */
export type Reason =
  | 'http_status'
  | 'exception'
  | 'replay_timeout'
  | 'deadline'
  | 'earlier_failure_in_group'
  | 'undecodable'
  | 'park_failed'
  | 'no_dlq';

/**
 * Maps the app's status to an outcome. 5xx, 408 and 429 are transient, and so is 409: the
 * idempotency guard answers it while the same delivery's first run is still in progress
 * (shared/idempotency/delivery-guard.ts), so a later try finds it done. Every other non-2xx
 * (other 4xx, and 1xx or 3xx, which a webhook route never means) will not change on a retry,
 * so the message is parked rather than replayed `maxReceiveCount` times.
 */
export function classifyStatus(status: number): 'done' | 'retry' | 'park' {
  if (status >= 200 && status < 300) return 'done';
  if (status >= 500 || status === 408 || status === 409 || status === 429) return 'retry';
  return 'park';
}
