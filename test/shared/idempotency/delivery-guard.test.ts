import { expect } from 'chai';
import Koa from 'koa';
import { inject } from 'light-my-request';
import { bodyReader } from '../../../shared/body.ts';
import { errorHandler } from '../../../shared/error-handler.ts';
import { createDeliveryGuard, type DeliveryGuardOptions } from '../../../shared/idempotency/delivery-guard.ts';
import { createIdempotencyStore, type IdempotencyStore } from '../../../shared/idempotency/store.ts';
import { requestContext } from '../../../shared/request-context.ts';
import { startDynalite, type LocalDynamoDb } from '../../helpers/dynalite.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';

/** What the handler behind the guard does on each run; it counts its runs. */
interface Handler {
  runs: number;
  answer: (ctx: Koa.Context) => Promise<void> | void;
}

function makeGuardedApp(store: IdempotencyStore, handler: Handler, options: Partial<DeliveryGuardOptions> = {}) {
  const { logger, lines } = makeCapturingLogger();
  const guard = createDeliveryGuard({ store, expiresAfterSeconds: 3600, ...options });
  const app = new Koa();
  app.silent = true;
  app.use(requestContext(logger));
  app.use(errorHandler());
  app.use(bodyReader());
  // The key stands for what a signature covers; the delivery id is what a caller may change.
  app.use(guard('stripe', (ctx) => ctx.get('x-signed-key'), (ctx) => ctx.get('x-delivery-id') || undefined));
  app.use(async (ctx) => {
    handler.runs += 1;
    await handler.answer(ctx);
  });
  const callback = app.callback();
  const post = (key: string, deliveryId: string | null = key) =>
    inject(callback, { method: 'POST', url: '/webhook/stripe', headers: { 'x-signed-key': key, ...(deliveryId ? { 'x-delivery-id': deliveryId } : {}) }, payload: '{}' });
  return { post, lines };
}

const ok = (): Handler => ({ runs: 0, answer: (ctx) => void (ctx.body = { handled: true }) });

/** A handler that waits until `release()` is called, to hold a first run in progress. */
function held(): Handler & { release: () => void } {
  let release = () => undefined as void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return { runs: 0, release: () => release(), answer: async (ctx) => { await gate; ctx.body = { handled: true }; } };
}

const stores: [string, () => Promise<{ store: IdempotencyStore; stop: () => Promise<void> }>][] = [
  ['the in-memory store', async () => ({ store: await createIdempotencyStore({}), stop: () => Promise.resolve() })],
  ['the DynamoDB store against dynalite on 127.0.0.1', async () => {
    const dynamo = await startDynalite();
    const tableName = await dynamo.createIdempotencyTable();
    return { store: await createIdempotencyStore({ tableName, client: dynamo.client }), stop: () => dynamo.stop() };
  }],
];

for (const [storeName, startStore] of stores) {
  describe(`createDeliveryGuard with ${storeName}`, () => {
    let store: IdempotencyStore;
    let stop: () => Promise<void>;
    beforeEach(async () => ({ store, stop } = await startStore()));
    afterEach(() => stop());

    it('runs the handler once for the same delivery sent twice and answers the repeat 200 {"duplicate":true}', async () => {
      const handler = ok();
      const { post, lines } = makeGuardedApp(store, handler);

      const first = await post('evt_1');
      const second = await post('evt_1');

      expect([first.statusCode, first.json()]).to.deep.equal([200, { handled: true }]);
      expect([second.statusCode, second.json()]).to.deep.equal([200, { duplicate: true }]);
      expect(handler.runs).to.equal(1);
      expect(lines.filter((line) => line.message === 'duplicate delivery').map(({ provider, deliveryId }) => ({ provider, deliveryId }))).to.deep.equal([
        { provider: 'stripe', deliveryId: 'evt_1' },
      ]);
    });

    it('runs the handler once for concurrent duplicates; the others answer 409 delivery_in_progress', async () => {
      const handler = held();
      const { post } = makeGuardedApp(store, handler);

      const first = post('evt_2');
      await until(() => handler.runs === 1);
      const duplicates = await Promise.all([post('evt_2'), post('evt_2'), post('evt_2')]);
      handler.release();
      const answers = [await first, ...duplicates].map((res) => [res.statusCode, res.json<{ error?: { code: string } }>().error?.code ?? 'handled']);

      expect(answers).to.deep.equal([[200, 'handled'], [409, 'delivery_in_progress'], [409, 'delivery_in_progress'], [409, 'delivery_in_progress']]);
      expect(handler.runs).to.equal(1);
    });

    it('runs the handler once for duplicates all sent at the same moment', async () => {
      const handler = ok();
      const { post } = makeGuardedApp(store, handler);

      const answers = await Promise.all(Array.from({ length: 8 }, () => post('evt_3')));

      expect(handler.runs).to.equal(1);
      expect(answers.filter((res) => res.statusCode === 200 && res.json<{ handled?: boolean }>().handled === true)).to.have.length(1);
      expect(answers.every((res) => res.statusCode === 200 || res.statusCode === 409)).to.equal(true);
    });

    it('releases a delivery whose handler throws, so the retry runs it', async () => {
      const handler: Handler = { runs: 0, answer: (ctx) => { if (handler.runs === 1) throw new Error('database down'); ctx.body = { handled: true }; } };
      const { post } = makeGuardedApp(store, handler);

      const failed = await post('evt_4');
      const retried = await post('evt_4');

      expect([failed.statusCode, retried.statusCode, retried.json()]).to.deep.equal([500, 200, { handled: true }]);
      expect(handler.runs).to.equal(2);
    });

    it('releases a delivery whose handler answers without a 2xx, keeping that answer', async () => {
      const handler: Handler = { runs: 0, answer: (ctx) => { ctx.status = handler.runs === 1 ? 422 : 200; ctx.body = { run: handler.runs }; } };
      const { post } = makeGuardedApp(store, handler);

      const rejected = await post('evt_5');
      const retried = await post('evt_5');

      expect([rejected.statusCode, rejected.json(), retried.statusCode, retried.json()]).to.deep.equal([422, { run: 1 }, 200, { run: 2 }]);
    });

    it('lets a retry take over a delivery whose first run outlived its in-progress lease', async () => {
      const handler = held();
      const { post } = makeGuardedApp(store, handler, { inProgressSeconds: 0.001 });

      const first = post('evt_6');
      await until(() => handler.runs === 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const takeover = post('evt_6');
      await until(() => handler.runs === 2);
      handler.release();

      expect([(await first).statusCode, (await takeover).statusCode]).to.deep.equal([200, 200]);
    });

    it('keeps distinct deliveries apart', async () => {
      const handler = ok();
      const { post } = makeGuardedApp(store, handler);

      const answers = await Promise.all([post('evt_7'), post('evt_8')]);

      expect(answers.map((res) => res.json<unknown>())).to.deep.equal([{ handled: true }, { handled: true }]);
      expect(handler.runs).to.equal(2);
    });

    it('dedupes by the signed key, whatever delivery id comes with it, or none', async () => {
      const handler = ok();
      const { post, lines } = makeGuardedApp(store, handler);

      await post('sha256:aa', 'd-1');
      const renamed = await post('sha256:aa', 'd-2');
      const unnamed = await post('sha256:aa', null);

      expect([renamed.json<unknown>(), unnamed.json<unknown>(), handler.runs]).to.deep.equal([{ duplicate: true }, { duplicate: true }, 1]);
      expect(lines.filter((line) => line.message === 'duplicate delivery').map(({ key, deliveryId }) => [key, deliveryId])).to.deep.equal([
        ['sha256:aa', 'd-2'],
        ['sha256:aa', null],
      ]);
    });
  });
}

describe('createDeliveryGuard with a DynamoDB store that fails', () => {
  let dynamo: LocalDynamoDb;
  before(async () => (dynamo = await startDynalite()));
  after(() => dynamo.stop());

  it('answers 503 idempotency_store_unavailable and does not run the handler', async () => {
    const handler = ok();
    const { post, lines } = makeGuardedApp(await createIdempotencyStore({ tableName: 'no-such-table', client: dynamo.client }), handler);

    const res = await post('evt_9');

    expect([res.statusCode, res.json()]).to.deep.equal([503, { error: { code: 'idempotency_store_unavailable', message: 'The idempotency store is unavailable; retry later' } }]);
    expect(handler.runs).to.equal(0);
    expect(lines.find((line) => line.message === 'request failed')).to.include({ errorMessage: 'The idempotency store is unavailable; retry later' });
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
