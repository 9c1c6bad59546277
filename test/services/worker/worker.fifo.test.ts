import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import Koa from 'koa';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import { createWorkerMetrics } from '../../../services/worker/metrics.ts';
import { createWorkerHandler } from '../../../services/worker/worker.ts';
import { messageIds } from '../../../shared/queue-message/routes.ts';
import { readJsonBody } from '../../../factories/json-body.ts';
import { makeLambdaContext } from '../../../factories/lambda-context.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';
import { makeStripeEvent } from '../../../factories/provider-payloads.ts';
import { makeEnvelopeRecord, makeSqsEvent } from '../../../factories/sqs.ts';
import { makeScriptedApp } from './scripted-app.ts';

// What the app does with one record, and whether the worker acknowledges it.
const behaviours = {
  done: { path: '/status/200', acknowledged: true },
  parked: { path: '/status/404', acknowledged: true },
  retried: { path: '/status/503', acknowledged: false },
  broken: { path: '/destroy', acknowledged: false },
} as const;
type Behaviour = keyof typeof behaviours;

const batch = fc.array(
  fc.record({ groupId: fc.constantFrom('g1', 'g2', 'g3'), behaviour: fc.constantFrom<Behaviour>('done', 'parked', 'retried', 'broken') }),
  { minLength: 1, maxLength: 10 },
);

describe('createWorkerHandler (FIFO)', () => {
  let queue: LocalQueue;

  before(async () => {
    queue = await startLocalQueue();
  });

  after(async () => {
    await queue.stop();
  });

  it("reports exactly each group's first failure and its group's later records, replaying none of those", async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (specs) => {
        const { app, replayed } = makeScriptedApp();
        const handler = createWorkerHandler({
          app,
          logger: makeCapturingLogger().logger,
          metrics: createWorkerMetrics({ write: () => undefined }),
          dlqUrl: queue.dlqUrl,
          sqs: queue.client,
        });
        const records = specs.map(({ groupId, behaviour }) => makeEnvelopeRecord({ path: behaviours[behaviour].path }, { messageId: randomUUID(), groupId }));

        const response = await handler(makeSqsEvent(records), makeLambdaContext());

        // The model: in order; a group that failed replays nothing more in this batch.
        const failedGroups = new Set<string>();
        const expectedReplayed: string[] = [];
        const expectedFailures: string[] = [];
        records.forEach((record, i) => {
          const { groupId, behaviour } = specs[i]!;
          if (failedGroups.has(groupId)) {
            expectedFailures.push(record.messageId);
            return;
          }
          expectedReplayed.push(record.messageId);
          if (!behaviours[behaviour].acknowledged) {
            failedGroups.add(groupId);
            expectedFailures.push(record.messageId);
          }
        });
        expect(replayed).to.deep.equal(expectedReplayed);
        expect(response).to.deep.equal({ batchItemFailures: expectedFailures.map((itemIdentifier) => ({ itemIdentifier })) });
      }),
      { numRuns: 200 },
    );
  });

  it('lets one Stripe object fail without holding back the others: entity groups from messageIds()', async () => {
    const webhook = fc.record({ object: fc.constantFrom('in_a', 'in_b', 'in_c'), fails: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(webhook, { minLength: 1, maxLength: 10 }), async (specs) => {
        // An app that answers 503 to the events chosen to fail and records what it replays.
        const replayed: string[] = [];
        const app = new Koa();
        app.silent = true;
        app.use(async (ctx) => {
          const { id } = await readJsonBody<{ id: string }>(ctx.req);
          replayed.push(id);
          ctx.status = specs[Number(id.slice(4))]!.fails ? 503 : 200;
        });
        const handler = createWorkerHandler({ app, logger: makeCapturingLogger().logger, metrics: createWorkerMetrics({ write: () => undefined }), dlqUrl: queue.dlqUrl, sqs: queue.client });
        const records = specs.map(({ object }, i) => {
          const payload = makeStripeEvent({ objectId: object, eventId: `evt_${i}` });
          const request = { path: payload.path, headers: payload.headers, body: Buffer.from(payload.body, 'utf8') };
          return makeEnvelopeRecord(request, { messageId: `m${i}`, groupId: messageIds(request, `req-${i}`).groupId });
        });

        const response = await handler(makeSqsEvent(records), makeLambdaContext());

        // Per object, in order: after its first failure an object replays nothing more; the
        // other objects of the same provider go on.
        const failed = new Set<string>();
        const expectedReplayed: string[] = [];
        const expectedFailures: string[] = [];
        specs.forEach(({ object, fails }, i) => {
          if (failed.has(object)) {
            expectedFailures.push(`m${i}`);
            return;
          }
          expectedReplayed.push(`evt_${i}`);
          if (fails) {
            failed.add(object);
            expectedFailures.push(`m${i}`);
          }
        });
        expect(replayed).to.deep.equal(expectedReplayed);
        expect(response).to.deep.equal({ batchItemFailures: expectedFailures.map((itemIdentifier) => ({ itemIdentifier })) });
      }),
      { numRuns: 100 },
    );
  });
});
