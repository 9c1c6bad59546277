import { expect } from 'chai';
import Koa from 'koa';
import { startLocalQueue, type LocalQueue } from '../../../services/local/local-queue.ts';
import type { Service } from '../../../services/server/service.ts';
import { startLoopbackService } from '../../../factories/local-service.ts';
import { createLogger } from '../../../shared/logger.ts';
import { getOrigin } from '../../../shared/origin.ts';
import { readJsonBody } from '../../../factories/json-body.ts';
import { makeStripeEvent } from '../../../factories/provider-payloads.ts';
import { depth, waitFor } from '../../helpers/queue.ts';

const objects = 10;
const eventsPerObject = 10;
const poison = 'in_poison';

// Stripe events through the whole local path on 127.0.0.1 (gateway → fauxqs FIFO queue →
// consumer → worker → app), grouped per object by the route table: one object whose events
// keep answering 503 must not hold up the others, and each object keeps its order.
describe('startService, one message group per entity', () => {
  let queue: LocalQueue;
  let service: Service;

  afterEach(async () => {
    await service?.stop();
    await queue?.stop();
  });

  it("keeps each object's order and lets the others flow while a poison object waits for its retries", async function () {
    this.timeout(60_000);
    const handled = new Map<string, number[]>();
    const groups = new Set<string>();
    const poisonAttempts: number[] = [];
    let handledCount = 0;
    const handledByAttempt: number[] = [];
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx) => {
      const event = await readJsonBody<{ id: string; data: { object: { id: string } } }>(ctx.req);
      const object = event.data.object.id;
      groups.add(getOrigin(ctx.req).queue?.groupId ?? '');
      if (object === poison) {
        poisonAttempts.push(performance.now());
        handledByAttempt.push(handledCount);
        ctx.status = 503;
        return;
      }
      handled.set(object, [...(handled.get(object) ?? []), Number(event.id.split('_').at(-1))]);
      handledCount += 1;
      ctx.body = { ok: true };
    });
    const logger = createLogger({ level: 'error', write: () => undefined });
    queue = await startLocalQueue({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    service = await startLoopbackService({
      app,
      logger,
      queue,
      consumer: { concurrency: 2, functionTimeoutMs: 1000 },
      worker: { replayTimeoutMs: 500, deadlineMarginMs: 200 },
    });
    const post = async (object: string, seq: number) => {
      const payload = makeStripeEvent({ objectId: object, eventId: `evt_${object}_${seq}` });
      const response = await fetch(`${service.url}${payload.path}`, { method: 'POST', headers: payload.headers, body: payload.body });
      await response.arrayBuffer();
      expect(response.status).to.equal(202);
    };

    // The poison object first, so that every other event is queued behind it; then each object's
    // events one after the other, all objects at once.
    await post(poison, 0);
    await post(poison, 1);
    await Promise.all(Array.from({ length: objects }, async (_, o) => {
      for (let seq = 0; seq < eventsPerObject; seq += 1) await post(`in_${o}`, seq);
    }));
    await waitFor('every other event handled and the poison object parked', async () => {
      const dlq = await depth(queue.client, queue.dlqUrl);
      return handledCount === objects * eventsPerObject && dlq.visible === 2 ? true : undefined;
    }, 45_000);

    const inOrder = Array.from({ length: eventsPerObject }, (_, seq) => seq);
    for (let o = 0; o < objects; o += 1) expect(handled.get(`in_${o}`), `in_${o}`).to.deep.equal(inOrder);
    expect([...groups].sort()).to.deep.equal([poison, ...Array.from({ length: objects }, (_, o) => `in_${o}`)].map((id) => `/webhook/stripe#${id}`).sort());
    // One group per route would have held every event behind the poison's first event until
    // the DLQ took it: none handled before its retry.
    expect(poisonAttempts.length).to.be.at.least(2);
    expect(handledByAttempt[1]!, 'events handled while the poison waited for its retry').to.be.greaterThan(0);
  });
});
