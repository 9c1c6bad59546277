import { describeBody, type BodyView } from './body-view.ts';
import type { Attempt, Delivery, DeliveryState } from './journal.ts';
import type { Redactor } from './redact.ts';
import { idempotencyVerdict, providerOf, signatureVerdict, type Verdict } from './verdicts.ts';

/** One row of the live list. */
interface DeliverySummary {
  id: string;
  version: number;
  receivedAt: number;
  method?: string;
  path?: string;
  provider?: string;
  state: DeliveryState;
  /** The app's last answer; the gateway's when the app never saw it. */
  status?: number;
  reason?: string;
  attempts: number;
  queueLagMs?: number;
  durationMs?: number;
  messageId?: string;
}

interface AttemptView extends Omit<Attempt, 'answer'> {
  answer?: BodyView & { truncated?: boolean };
}

/** Everything the detail view shows, secrets and credentials redacted. */
interface DeliveryDetail extends DeliverySummary {
  groupId?: string;
  gatewayStatus?: number;
  request?: {
    query: [string, string][];
    headers: [string, string][];
    sourceIp?: string;
    body: BodyView;
  };
  signature: Verdict;
  idempotency: Verdict;
  attemptList: AttemptView[];
}

export function summarize(delivery: Delivery): DeliverySummary {
  const last = delivery.attempts.at(-1);
  const provider = providerOf(delivery.path);
  const status = last?.status ?? (delivery.gateway?.status === 202 ? undefined : delivery.gateway?.status);
  const messageId = last?.messageId ?? delivery.gateway?.messageId;
  return {
    id: delivery.id,
    version: delivery.version,
    receivedAt: delivery.receivedAt,
    ...(delivery.method ? { method: delivery.method } : {}),
    ...(delivery.path ? { path: delivery.path } : {}),
    ...(provider ? { provider } : {}),
    state: delivery.state,
    ...(status === undefined ? {} : { status }),
    ...(last?.reason ? { reason: last.reason } : {}),
    attempts: delivery.attempts.length,
    ...(last?.queueLagMs === undefined ? {} : { queueLagMs: last.queueLagMs }),
    ...(last ? { durationMs: last.durationMs } : {}),
    ...(messageId ? { messageId } : {}),
  };
}

export function describeDelivery(delivery: Delivery, redact: Redactor): DeliveryDetail {
  const { request } = delivery;
  const last = [...delivery.attempts].reverse().find((attempt) => attempt.status !== undefined);
  return {
    ...summarize(delivery),
    ...(delivery.gateway?.groupId ? { groupId: delivery.gateway.groupId } : {}),
    ...(delivery.gateway ? { gatewayStatus: delivery.gateway.status } : {}),
    ...(request
      ? {
          request: {
            query: request.query.map(([name, value]) => [redact.text(name), redact.text(value)]),
            headers: Object.entries(request.headers).map(([name, value]) => [name, redact.header(name, value)]),
            ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
            body: redactBody(describeBody(request.body, request.headers['content-type']), redact),
          },
        }
      : {}),
    signature: signatureVerdict(delivery.path, last),
    idempotency: idempotencyVerdict(delivery.path, last),
    attemptList: delivery.attempts.map(({ answer, ...attempt }) => ({
      ...attempt,
      ...(attempt.detail ? { detail: redact.text(attempt.detail) } : {}),
      ...(answer ? { answer: { ...redactBody(describeBody(Buffer.from(answer.body, 'utf8'), answer.contentType), redact), ...(answer.truncated ? { truncated: true } : {}) } } : {}),
    })),
  };
}

function redactBody(view: BodyView, redact: Redactor): BodyView {
  return {
    ...view,
    ...(view.text === undefined ? {} : { text: redact.text(view.text) }),
    ...(view.json === undefined ? {} : { json: redact.text(view.json) }),
    ...(view.form ? { form: view.form.map(([name, value]) => [redact.text(name), redact.text(value)]) } : {}),
  };
}
