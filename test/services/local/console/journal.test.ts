import { expect } from 'chai';
import type { GatewayDelivery } from '../../../../services/server/gateway.ts';
import { createDeliveryJournal, type Delivery } from '../../../../services/local/console/journal.ts';
import type { RecordReport } from '../../../../services/worker/worker.ts';
import { makeReplayRequest } from '../../../../factories/sqs.ts';

function makeGatewayDelivery(overrides: Partial<GatewayDelivery> = {}): GatewayDelivery {
  const requestId = overrides.requestId ?? 'req-1';
  return {
    requestId,
    receivedAt: 1_000,
    path: '/webhook/stripe',
    request: makeReplayRequest({ path: '/webhook/stripe', requestId, body: Buffer.from('{"id":"evt_1"}') }),
    status: 202,
    messageId: 'm-1',
    groupId: '/webhook/stripe',
    ...overrides,
  };
}

function makeReport(overrides: Partial<RecordReport> = {}): RecordReport {
  return { messageId: 'm-1', groupId: '/webhook/stripe', receiveCount: 1, requestId: 'req-1', method: 'POST', path: '/webhook/stripe', status: 200, outcome: 'done', durationMs: 2, replayMs: 1, queueLagMs: 5, ...overrides };
}

const states = (deliveries: Delivery[]) => deliveries.map((delivery) => [delivery.id, delivery.state, delivery.attempts.length]);

describe('createDeliveryJournal', () => {
  it('follows a delivery from the gateway through each try, and tells subscribers of every change', () => {
    const journal = createDeliveryJournal({ maxReceiveCount: 3, now: () => 2_000 });
    const seen: string[] = [];
    journal.subscribe((delivery) => seen.push(`${delivery.state} v${delivery.version}`));

    journal.recordDelivery(makeGatewayDelivery());
    journal.recordAttempt(makeReport({ status: 503, outcome: 'retry', reason: 'http_status' }), { contentType: 'application/json', body: '{"error":{"code":"x"}}' }, 'queue');
    journal.recordAttempt(makeReport({ receiveCount: 2 }), { contentType: 'application/json', body: '{"received":true}' }, 'queue');

    expect(seen).to.deep.equal(['queued v1', 'retrying v2', 'done v3']);
    const delivery = journal.get('req-1')!;
    expect(delivery.gateway).to.deep.equal({ status: 202, messageId: 'm-1', groupId: '/webhook/stripe' });
    expect(delivery.attempts.map((a) => [a.receiveCount, a.status, a.outcome, a.via, a.at, a.answer?.body])).to.deep.equal([
      [1, 503, 'retry', 'queue', 2_000, '{"error":{"code":"x"}}'],
      [2, 200, 'done', 'queue', 2_000, '{"received":true}'],
    ]);
  });

  it('takes a try the worker settled before the gateway heard back from SQS', () => {
    const journal = createDeliveryJournal();

    journal.recordAttempt(makeReport(), undefined, 'queue');
    journal.recordDelivery(makeGatewayDelivery());

    expect(states(journal.list())).to.deep.equal([['req-1', 'done', 1]]);
    expect(journal.get('req-1')?.request?.body.toString()).to.equal('{"id":"evt_1"}');
  });

  it('marks the try that sends a message to the DLQ by its redrive policy, and a park', () => {
    const journal = createDeliveryJournal({ maxReceiveCount: 2 });

    journal.recordAttempt(makeReport({ requestId: 'a', messageId: 'm-a', receiveCount: 1, outcome: 'retry' }), undefined, 'queue');
    journal.recordAttempt(makeReport({ requestId: 'b', messageId: 'm-b', receiveCount: 2, outcome: 'retry' }), undefined, 'queue');
    journal.recordAttempt(makeReport({ requestId: 'c', messageId: 'm-c', status: 401, outcome: 'parked', reason: 'http_status' }), undefined, 'queue');

    expect(states(journal.list())).to.deep.equal([['c', 'parked', 1], ['b', 'dead-lettered', 1], ['a', 'retrying', 1]]);
  });

  it('keeps a delivery in the DLQ when a replay from the DLQ fails, with the reason the app gave', () => {
    const journal = createDeliveryJournal();
    journal.recordAttempt(makeReport({ status: 401, outcome: 'parked', reason: 'http_status', detail: 'The app answered 401 signature_mismatch' }), undefined, 'queue');

    journal.recordAttempt(makeReport({ status: 401, outcome: 'retry', reason: 'no_dlq', detail: 'http_status: The app answered 401 signature_mismatch' }), undefined, 'dlq');

    const delivery = journal.get('req-1')!;
    expect(delivery.state).to.equal('parked');
    expect(delivery.attempts.map((a) => [a.via, a.outcome, a.reason, a.detail])).to.deep.equal([
      ['queue', 'parked', 'http_status', 'The app answered 401 signature_mismatch'],
      ['dlq', 'kept', 'http_status', 'The app answered 401 signature_mismatch'],
    ]);
  });

  it('marks what the gateway refused, and finds a message of no request id by its message id', () => {
    const journal = createDeliveryJournal({ now: () => 10_000 });

    journal.recordDelivery(makeGatewayDelivery({ requestId: 'big', status: 413, request: undefined, messageId: undefined }));
    journal.recordAttempt(makeReport({ requestId: undefined, messageId: 'm-hand', outcome: 'logged', status: undefined, queueLagMs: 4_000 }), undefined, 'queue');

    expect(states(journal.list())).to.deep.equal([['m-hand', 'logged', 1], ['big', 'refused', 0]]);
    expect(journal.get('m-hand')?.receivedAt).to.equal(6_000);
  });

  it('forgets the oldest deliveries past its count and body-size bounds', () => {
    const journal = createDeliveryJournal({ maxDeliveries: 3, maxBodyBytes: 25 });
    const body = (n: number) => makeReplayRequest({ body: Buffer.alloc(n) });

    for (const [id, bytes] of [['a', 10], ['b', 10], ['c', 1], ['d', 1]] as const) {
      journal.recordDelivery(makeGatewayDelivery({ requestId: id, messageId: `m-${id}`, request: body(bytes) }));
    }
    journal.recordDelivery(makeGatewayDelivery({ requestId: 'e', messageId: 'm-e', request: body(20) }));

    expect(journal.list().map((d) => d.id)).to.deep.equal(['e', 'd', 'c']);
    journal.recordAttempt(makeReport({ requestId: undefined, messageId: 'm-a' }), undefined, 'queue');
    expect(journal.list().map((d) => d.id)).to.deep.equal(['m-a', 'e', 'd']);
  });

  it('cuts an answer past its byte bound and says so', () => {
    const journal = createDeliveryJournal({ maxAnswerBytes: 4 });

    journal.recordAttempt(makeReport(), { contentType: 'text/plain', body: 'abcdefgh' }, 'queue');

    expect(journal.get('req-1')?.attempts[0]?.answer).to.deep.equal({ contentType: 'text/plain', body: 'abcd', truncated: true });
  });

  it('stops telling a subscriber once it unsubscribed', () => {
    const journal = createDeliveryJournal();
    const seen: string[] = [];
    const unsubscribe = journal.subscribe((delivery) => seen.push(delivery.id));

    journal.recordDelivery(makeGatewayDelivery({ requestId: 'one' }));
    unsubscribe();
    journal.recordDelivery(makeGatewayDelivery({ requestId: 'two' }));

    expect(seen).to.deep.equal(['one']);
  });
});
