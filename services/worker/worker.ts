import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type Koa from 'koa';
import { createLogger, type Logger } from '../../shared/logger.ts';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.ts';
import { readRecords } from './event.ts';
import { createParker } from './park.ts';
import { createRecordHandler, writeReport, type RecordObserver } from './record-handler.ts';
import { identityOf, queueMetadata } from './record-report.ts';
import { createReplayer } from './replay.ts';

/** What observers (`onRecord`) are told; for the local console. */
export type { RecordReport } from './record-report.ts';
export type { ReplayAnswer } from './replay.ts';

export interface WorkerOptions {
  /** Any Koa app; the worker injects into `app.callback()`. */
  app: Koa;
  logger?: Logger;
  /** Client for parking; by default a new `SQSClient` (region from the Lambda environment). */
  sqs?: SQSClient;
  /** Where 4xx answers and undecodable messages are parked; without it they are retried. */
  dlqUrl?: string;
  /** Longest wait for the app's answer before the record is retried (default 10 s). */
  replayTimeoutMs?: number;
  /** Time kept back before the Lambda deadline to park and answer (default 2 s). */
  deadlineMarginMs?: number;
  metrics?: WorkerMetrics;
  /** Told of every settled record and the app's answer (the local console's hook); never in Lambda. */
  onRecord?: RecordObserver;
}

/** Takes any event (an SQS batch, or whatever a misconfigured trigger sends) and never throws for its shape. */
export type WorkerHandler = (event: unknown, context: Context) => Promise<SQSBatchResponse>;

/**
 * Builds the SQS handler that replays each record into `app`, in order, and answers which
 * records Lambda must keep (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 * FIFO: after a failure in a message group the group's later records are not replayed and are
 * reported failed; other groups go on. Near the deadline the rest is reported failed, since a
 * timed-out invocation would redeliver records already handled.
 *
 * A plain loop rather than Powertools' SqsFifoPartialProcessorAsync, with its rules (records
 * without a group are never skipped): the processor re-read the environment on every state
 * access, a third of the worker's own cost per record.
 */
export function createWorkerHandler(options: WorkerOptions): WorkerHandler {
  const logger = options.logger ?? createLogger();
  const metrics = options.metrics ?? createWorkerMetrics();
  const handleRecord = createRecordHandler({
    replay: createReplayer(options.app),
    ...(options.dlqUrl ? { park: createParker({ dlqUrl: options.dlqUrl, sqs: options.sqs }) } : {}),
    logger,
    metrics,
    replayTimeoutMs: options.replayTimeoutMs ?? 10_000,
    deadlineMarginMs: options.deadlineMarginMs ?? 2_000,
    onRecord: options.onRecord,
  });

  return async (event, context) => {
    const records = readRecords(event, logger);
    // Per invocation: concurrent invocations never share a failed group.
    const failedGroups = new Set<string>();
    const batchItemFailures: SQSBatchItemFailure[] = [];
    try {
      for (const record of records) {
        const groupId = record.attributes?.MessageGroupId;
        const outcome = groupId !== undefined && failedGroups.has(groupId) ? skip(record) : (await handleRecord(record, context)).outcome;
        if (outcome !== 'retry') continue;
        batchItemFailures.push({ itemIdentifier: record.messageId });
        if (groupId) failedGroups.add(groupId);
      }
      // Every record failed: still the list rather than a throw (same effect, one line per record).
      return { batchItemFailures };
    } finally {
      metrics.flush();
    }
  };

  function skip(record: SQSRecord): 'retry' {
    const detail = 'An earlier record of this message group failed in this batch';
    writeReport({ logger, metrics, onRecord: options.onRecord }, { ...identityOf(queueMetadata(record)), outcome: 'retry', reason: 'earlier_failure_in_group', detail, durationMs: 0 });
    return 'retry';
  }
}
