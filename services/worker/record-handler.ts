import type { Context, SQSRecord } from 'aws-lambda';
import { describeError, elapsedMs, type LogFields, type Logger } from '../../shared/logger.ts';
import type { QueueMetadata, RequestOrigin } from '../../shared/origin.ts';
import { decodeRecord, type DecodedMessage } from '../../shared/queue-message/decode.ts';
import { MessageDecodeError } from '../../shared/queue-message/errors.ts';
import { ReplayTimeoutError } from './errors.ts';
import type { WorkerMetrics } from './metrics.ts';
import { classifyStatus, type Reason } from './outcome.ts';
import { maxDetailLength, type Park } from './park.ts';
import { queueMetadata, type RecordReport } from './record-report.ts';
import type { Replay, ReplayAnswer } from './replay.ts';

interface RecordHandlerDeps {
  replay: Replay;
  /** Absent when no DLQ is configured: what would be parked is retried instead. */
  park?: Park;
  logger: Logger;
  metrics: WorkerMetrics;
  replayTimeoutMs: number;
  deadlineMarginMs: number;
  onRecord?: RecordObserver;
}

/**
 * Told of every settled record with the app's answer, when there was one: how the local
 * console follows deliveries. It must not throw; if it does, the error is logged and ignored.
 */
export type RecordObserver = (report: RecordReport, answer?: ReplayAnswer) => void;

type Settlement = Omit<RecordReport, 'messageId' | 'groupId' | 'receiveCount' | 'durationMs'> & { log?: LogFields; answer?: ReplayAnswer };

// Large enough for any hand-sent test message, small enough to stay one CloudWatch log event.
const maxLoggedPayload = 8 * 1024;

/**
 * Settles one record — replay, park, log or retry — writes its log line and metrics, and
 * resolves with its report; never rejects (a `retry` outcome is how a failure is told).
 */
export function createRecordHandler(deps: RecordHandlerDeps): (record: SQSRecord, context: Context) => Promise<RecordReport> {
  async function settle(record: SQSRecord, queue: QueueMetadata, context: Context): Promise<Settlement> {
    const budgetMs = context.getRemainingTimeInMillis() - deps.deadlineMarginMs;
    if (budgetMs <= 0) return { outcome: 'retry', reason: 'deadline', detail: 'Too close to the Lambda deadline to start a replay' };

    let decoded: DecodedMessage;
    try {
      decoded = decodeRecord(record);
    } catch (error) {
      const lag = lagSince(queue.sentAt);
      // Bounded: the problems quote the message's own header names and values, whatever their number.
      if (error instanceof MessageDecodeError) return parkOrRetry(record, context, { shape: error.shape, ...lag }, 'undecodable', error.message.slice(0, maxDetailLength));
      return { outcome: 'retry', reason: 'exception', ...lag, log: describeError(error) };
    }
    if (decoded.kind === 'unrecognized') {
      return { shape: 'unrecognized', outcome: 'logged', ...lagSince(queue.sentAt), log: payloadFields(decoded.payload) };
    }

    const { request, shape } = decoded;
    const { requestId } = request;
    const receivedAt = request.receivedAt ?? queue.sentAt;
    // Built field by field, not spread from parts: this runs for every record.
    const seen: Partial<Settlement> = requestId ? { shape, requestId, method: request.method, path: request.path } : { shape, method: request.method, path: request.path };
    if (receivedAt !== undefined) seen.queueLagMs = Math.max(0, Date.now() - receivedAt);
    const origin: RequestOrigin = requestId ? { requestId, queue } : { queue };
    if (receivedAt) origin.receivedAt = receivedAt;
    if (request.rawQuery === undefined && request.query.length > 0) origin.queryRebuilt = true;
    const started = performance.now();
    try {
      const { status, errorCode, answer } = await deps.replay(request, origin, Math.min(deps.replayTimeoutMs, budgetMs));
      const replayed = { ...seen, status, replayMs: elapsedMs(started), answer };
      const verdict = classifyStatus(status);
      if (verdict === 'done') return { ...replayed, outcome: 'done' };
      const detail = `The app answered ${status}${errorCode ? ` ${errorCode}` : ''}`;
      if (verdict === 'retry') return { ...replayed, outcome: 'retry', reason: 'http_status', detail };
      return parkOrRetry(record, context, replayed, 'http_status', detail);
    } catch (error) {
      const reason = error instanceof ReplayTimeoutError ? 'replay_timeout' : 'exception';
      return { ...seen, replayMs: elapsedMs(started), outcome: 'retry', reason, log: describeError(error) };
    }
  }

  async function parkOrRetry(record: SQSRecord, context: Context, seen: Partial<Settlement>, reason: Reason, detail: string): Promise<Settlement> {
    if (!deps.park) return { ...seen, outcome: 'retry', reason: 'no_dlq', detail: `${reason}: ${detail}` };
    try {
      // Half the margin: the park may use time the next replay would not get, never the answer's.
      await deps.park(record, reason, detail, Math.max(1, context.getRemainingTimeInMillis() - deps.deadlineMarginMs / 2));
      return { ...seen, outcome: 'parked', reason, detail };
    } catch (error) {
      return { ...seen, outcome: 'retry', reason: 'park_failed', detail: `${reason}: ${detail}`, log: describeError(error) };
    }
  }

  return async (record, context) => {
    const started = performance.now();
    const queue = queueMetadata(record);
    let settled: Settlement;
    try {
      settled = await settle(record, queue, context);
    } catch (error) {
      settled = { outcome: 'retry', reason: 'exception', log: describeError(error) };
    }
    const { log, answer, ...settlement } = settled;
    // Identity fields written out, then one spread: Node 20's V8 copies `{ ...a, ...b }` some 50
    // times slower than this (several µs, per record).
    const durationMs = elapsedMs(started);
    const report: RecordReport = queue.groupId
      ? { messageId: queue.messageId, groupId: queue.groupId, receiveCount: queue.receiveCount, ...settlement, durationMs }
      : { messageId: queue.messageId, receiveCount: queue.receiveCount, ...settlement, durationMs };
    writeReport(deps, report, log, answer);
    return report;
  };
}

/** One log line and the metrics of a record, and its observer; also used for records the worker never started. */
export function writeReport(deps: Pick<RecordHandlerDeps, 'logger' | 'metrics' | 'onRecord'>, report: RecordReport, log?: LogFields, answer?: ReplayAnswer): void {
  const level = report.outcome === 'done' ? 'info' : 'warn';
  deps.logger[level]('queue record', log ? { ...report, ...log } : report);
  deps.metrics.add(report);
  try {
    deps.onRecord?.(report, answer);
  } catch (error) {
    deps.logger.error('record observer failed', { messageId: report.messageId, ...describeError(error) });
  }
}

function lagSince(time: number | undefined): { queueLagMs?: number } {
  return time === undefined ? {} : { queueLagMs: Math.max(0, Date.now() - time) };
}

/** A hand-sent message is logged so that someone can act on it; a huge one only in part. */
function payloadFields(payload: unknown): LogFields {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return text.length <= maxLoggedPayload ? { payload } : { payloadPreview: text.slice(0, maxLoggedPayload), payloadChars: text.length };
}
