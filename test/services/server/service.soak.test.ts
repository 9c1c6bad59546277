import { expect } from 'chai';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import type { Service } from '../../../services/server/service.ts';
import { startLoopbackService } from '../../../factories/local-service.ts';
import { toSqsRecord } from '../../../services/server/sqs-event.ts';
import { createLogger } from '../../../shared/logger.ts';
import { decodeRecord } from '../../../shared/queue-message/decode.ts';
import { makeRandom } from '../../../factories/random.ts';
import { makeFaultyApp, type Fault, type Webhook } from './faulty-app.ts';
import { depth, drain, waitFor } from '../../helpers/queue.ts';

const webhooks = 2000;
const groups = 20;
const seed = 20261125;

/** Per webhook: 1% rejected for good (422); 6% fail once and 2% twice (503, exception or too slow); 5% answer slowly. */
function planFaults(all: Webhook[]): Map<string, Fault[]> {
  const random = makeRandom(seed);
  const transient: Fault[] = ['503', 'throw', 'timeout'];
  const pick = () => transient[Math.floor(random() * transient.length)]!;
  const plan = new Map<string, Fault[]>();
  for (const webhook of all) {
    const r = random();
    const faults: Fault[] = r < 0.01 ? ['422', '422', '422', '422', '422'] : r < 0.07 ? [pick()] : r < 0.09 ? [pick(), pick()] : [];
    if (random() < 0.05) faults.push('slow');
    if (faults.length > 0) plan.set(webhook.id, faults);
  }
  return plan;
}

// The whole queued path on 127.0.0.1: gateway → fauxqs FIFO queue → consumer → worker → app.
// Short visibility timeout (1 s) so that retries come back quickly.
describe('startService under load with faults', () => {
  let queue: LocalQueue;
  let service: Service;

  afterEach(async () => {
    await service?.stop();
    await queue?.stop();
  });

  // As Lambda's event source mapping runs the worker (npm start): a batch gets the visibility
  // timeout. As the container runs it (server.mjs): a batch may run long, its messages kept
  // invisible by the visibility heartbeat.
  const consumers = {
    "as Lambda's event source (npm start)": { concurrency: 4, functionTimeoutMs: 1000 },
    'as the container (server.mjs)': { concurrency: 4, functionTimeoutMs: 15 * 60_000 },
  };

  for (const [mode, consumer] of Object.entries(consumers)) {
    it(`handles every webhook exactly once in effect, in send order per group, or parks it with its reason, ${mode}`, async function () {
      // Some 20 s on an idle machine; the bounds leave room for a loaded one.
      this.timeout(180_000);
      const all: Webhook[] = Array.from({ length: webhooks }, (_, n) => ({ id: `g${n % groups}-${Math.floor(n / groups)}`, group: n % groups, seq: Math.floor(n / groups) }));
      const plan = planFaults(all);
      const permanent = all.filter((w) => plan.get(w.id)?.[0] === '422').map((w) => w.id).sort();
      const logger = createLogger({ level: 'error', write: () => undefined });
      const faulty = makeFaultyApp({ logger, plan, timeoutMs: 400 });
      queue = await startLocalQueue({ visibilityTimeoutSeconds: 1, maxReceiveCount: 10 });
      service = await startLoopbackService({
        app: faulty.app,
        logger,
        queue,
        consumer,
        worker: { replayTimeoutMs: 250, deadlineMarginMs: 300 },
      });
      const started = performance.now();

      // One sender per group, each posting its webhooks in order, all groups at once.
      const statuses = await Promise.all(Array.from({ length: groups }, async (_, group) => {
        const answers: number[] = [];
        for (const webhook of all.filter((w) => w.group === group)) {
          const response = await fetch(`${service.url}/webhook/soak-${group}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(webhook),
          });
          await response.arrayBuffer();
          answers.push(response.status);
        }
        return answers;
      }));
      const effects = () => [...faulty.effects.values()].reduce((n, seqs) => n + seqs.length, 0);
      await waitFor('every webhook handled or parked', async () => {
        const [q, dlq] = await Promise.all([depth(queue.client, queue.queueUrl), depth(queue.client, queue.dlqUrl)]);
        return q.visible + q.inFlight === 0 && effects() + dlq.visible === webhooks ? true : undefined;
      }, 160_000);
      const seconds = (performance.now() - started) / 1000;

      const parked = (await drain(queue.client, queue.dlqUrl)).map((message) => {
        const decoded = decodeRecord(toSqsRecord(message, ''));
        const webhook = decoded.kind === 'request' ? (JSON.parse(decoded.request.body.toString('utf8')) as Webhook) : undefined;
        return { id: webhook?.id, reason: message.MessageAttributes?.parkReason?.StringValue, detail: message.MessageAttributes?.parkDetail?.StringValue };
      });
      const reordered = [...faulty.effects.entries()].filter(([, seqs]) => seqs.some((seq, i) => i > 0 && seq <= seqs[i - 1]!)).length;
      const expectedOrder = (group: number) => all.filter((w) => w.group === group && !permanent.includes(w.id)).map((w) => w.seq);
      const transientFaults = faulty.served['503'] + faulty.served.throw + faulty.served.timeout;
      console.log(`      soak ${mode}: ${webhooks} webhooks in ${groups} groups in ${seconds.toFixed(1)} s; faults injected ${transientFaults} transient ` +
        `(503 ${faulty.served['503']}, exception ${faulty.served.throw}, too slow ${faulty.served.timeout}) + ${faulty.served['422']} permanent 422 + ${faulty.served.slow} slow answers; ` +
        `handled ${effects()}, parked ${parked.length}, lost ${webhooks - effects() - parked.length}, reordered groups ${reordered}, duplicate deliveries absorbed ${faulty.duplicateDeliveries}`);

      expect(statuses.flat().filter((s) => s !== 202)).to.deep.equal([]);
      expect(parked.map((p) => p.id).sort()).to.deep.equal(permanent);
      expect(new Set(parked.map((p) => `${p.reason}: ${p.detail}`))).to.deep.equal(new Set(['http_status: The app answered 422 rejected']));
      for (let group = 0; group < groups; group += 1) expect(faulty.effects.get(group), `group ${group}`).to.deep.equal(expectedOrder(group));
      // Each permanent failure is answered 422 at least once and parked once (above). On a loaded
      // machine an invocation can outlive its 1 s timeout after parking: the poller then treats it
      // as timed out, as Lambda would, and SQS redelivers the record, which is answered 422 and
      // parked again; the DLQ's deduplication on the message id keeps one copy. At least once.
      expect(faulty.served['422']).to.be.at.least(permanent.length);
      expect(transientFaults).to.be.greaterThan(100);
    });
  }
});
