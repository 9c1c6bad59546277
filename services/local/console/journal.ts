import type { ReplayRequest } from '../../../shared/queue-message/replay-request.ts';
import type { RecordReport, ReplayAnswer } from '../../worker/worker.ts';

type Reason = NonNullable<RecordReport['reason']>;
import type { GatewayDelivery } from '../../server/gateway.ts';

/**
 * Where a delivery stands: `queued` until the worker settles a try; `retrying` after a try to
 * come back; `dead-lettered` after the try that makes the redrive policy move it to the DLQ;
 * `parked` when the worker sent it to the DLQ; `refused` when the gateway did not queue it.
 */
export type DeliveryState = 'queued' | 'done' | 'retrying' | 'parked' | 'dead-lettered' | 'logged' | 'refused';

/**
 * One settled try: by the live worker (`queue`), or by a replay from the DLQ (`dlq`), where a
 * message the app refuses is `kept` in the DLQ.
 */
export interface Attempt extends Omit<RecordReport, 'requestId' | 'method' | 'path' | 'outcome'> {
  outcome: RecordReport['outcome'] | 'kept';
  at: number;
  via: 'queue' | 'dlq';
  /** The app's answer, its body cut at `maxAnswerBytes`. */
  answer?: ReplayAnswer & { truncated?: boolean };
}

export interface Delivery {
  /** The request id API Gateway (here the local gateway) gave it; the SQS message id for a message of no known request. */
  id: string;
  receivedAt: number;
  method?: string;
  path?: string;
  /** As the gateway queued it; absent for a message it never saw (sent before the console started, or by another producer). */
  request?: ReplayRequest;
  gateway?: Pick<GatewayDelivery, 'status' | 'messageId' | 'groupId'>;
  attempts: Attempt[];
  state: DeliveryState;
  /** Counts changes, so that a page can tell a fresh copy from a stale one. */
  version: number;
}

export interface DeliveryJournal {
  recordDelivery(delivery: GatewayDelivery): void;
  recordAttempt(report: RecordReport, answer: ReplayAnswer | undefined, via: Attempt['via']): void;
  /** Newest first. */
  list(): Delivery[];
  get(id: string): Delivery | undefined;
  /** Calls `listener` with each delivery that changed; returns the unsubscribe function. */
  subscribe(listener: (delivery: Delivery) => void): () => void;
}

interface JournalOptions {
  /** Deliveries kept; the oldest go first (default 500). */
  maxDeliveries?: number;
  /** Request body bytes kept across all deliveries (default 32 MiB); the oldest deliveries go first. */
  maxBodyBytes?: number;
  /** Answer body bytes kept per try (default 64 KiB). */
  maxAnswerBytes?: number;
  /** The queue's redrive maxReceiveCount: a retry at that count is the last before the DLQ. */
  maxReceiveCount?: number;
  now?: () => number;
}

/**
 * The console's memory of the deliveries the local path handled, fed by the gateway's and the
 * worker's observers, in any order (the worker may settle a message before the gateway hears
 * back from SQS). Bounded: it forgets the oldest deliveries first. Never written to disk.
 */
export function createDeliveryJournal(options: JournalOptions = {}): DeliveryJournal {
  const maxDeliveries = options.maxDeliveries ?? 500;
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const maxAnswerBytes = options.maxAnswerBytes ?? 64 * 1024;
  const now = options.now ?? Date.now;
  const deliveries = new Map<string, Delivery>();
  const byMessageId = new Map<string, string>();
  const listeners = new Set<(delivery: Delivery) => void>();
  let bodyBytes = 0;

  const entry = (id: string, receivedAt: number): Delivery => {
    let delivery = deliveries.get(id);
    if (!delivery) {
      delivery = { id, receivedAt, attempts: [], state: 'queued', version: 0 };
      deliveries.set(id, delivery);
    }
    return delivery;
  };

  const changed = (delivery: Delivery): void => {
    delivery.version += 1;
    forgetOldest();
    for (const listener of listeners) listener(delivery);
  };

  const forgetOldest = (): void => {
    for (const [id, delivery] of deliveries) {
      if (deliveries.size <= maxDeliveries && bodyBytes <= maxBodyBytes) return;
      deliveries.delete(id);
      bodyBytes -= delivery.request?.body.length ?? 0;
      if (delivery.gateway?.messageId) byMessageId.delete(delivery.gateway.messageId);
      for (const attempt of delivery.attempts) byMessageId.delete(attempt.messageId);
    }
  };

  return {
    recordDelivery(received) {
      const delivery = entry(received.requestId, received.receivedAt);
      delivery.receivedAt = received.receivedAt;
      delivery.path = received.path;
      delivery.method = 'POST';
      if (received.request) {
        delivery.request = received.request;
        bodyBytes += received.request.body.length;
      }
      delivery.gateway = { status: received.status, ...(received.messageId ? { messageId: received.messageId } : {}), ...(received.groupId ? { groupId: received.groupId } : {}) };
      if (received.messageId) byMessageId.set(received.messageId, delivery.id);
      if (received.status !== 202) delivery.state = 'refused';
      changed(delivery);
    },

    recordAttempt(report, answer, via) {
      const { requestId, method, path, ...settled } = report;
      const id = requestId ?? byMessageId.get(report.messageId) ?? report.messageId;
      const delivery = entry(id, now() - (report.queueLagMs ?? 0));
      delivery.method ??= method;
      delivery.path ??= path;
      byMessageId.set(report.messageId, id);
      delivery.attempts.push({ ...settled, ...keptInDlq(report, via), at: now(), via, ...(answer ? { answer: cut(answer, maxAnswerBytes) } : {}) });
      delivery.state = stateAfter(delivery.state, report, via, options.maxReceiveCount);
      changed(delivery);
    },

    list: () => [...deliveries.values()].reverse(),
    get: (id) => deliveries.get(id),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function stateAfter(before: DeliveryState, report: RecordReport, via: Attempt['via'], maxReceiveCount = Infinity): DeliveryState {
  if (report.outcome !== 'retry') return report.outcome;
  // A replay from the DLQ that fails leaves the message where it was.
  if (via === 'dlq') return before === 'dead-lettered' ? before : 'parked';
  return report.receiveCount >= maxReceiveCount ? 'dead-lettered' : 'retrying';
}

/**
 * A DLQ replay runs a worker without a DLQ, which reports what it would park as a `no_dlq`
 * retry (`detail` = "<reason>: <detail>"): for the page it stayed in the DLQ, for that reason.
 */
function keptInDlq(report: RecordReport, via: Attempt['via']): Partial<Attempt> {
  if (via !== 'dlq' || report.outcome !== 'retry') return {};
  const inner = report.reason === 'no_dlq' ? /^([a-z_]+): (.*)$/s.exec(report.detail ?? '') : null;
  return { outcome: 'kept', ...(inner ? { reason: inner[1] as Reason, detail: inner[2]! } : {}) };
}

function cut(answer: ReplayAnswer, maxBytes: number): Attempt['answer'] {
  const bytes = Buffer.from(answer.body, 'utf8');
  if (bytes.length <= maxBytes) return answer;
  // May end in a broken character; the page shows it as text all the same.
  return { ...answer, body: bytes.subarray(0, maxBytes).toString('utf8'), truncated: true };
}
