import { expect } from 'chai';
import { IdempotencyConfig, IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError } from '@aws-lambda-powertools/idempotency';
import { MemoryPersistenceLayer } from '../../../shared/idempotency/memory-store.ts';

function makeStore(expiresAfterSeconds = 60): MemoryPersistenceLayer {
  const store = new MemoryPersistenceLayer();
  store.configure({ config: new IdempotencyConfig({ expiresAfterSeconds }), keyPrefix: 'test' });
  return store;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('MemoryPersistenceLayer', () => {
  it('refuses a second in-progress record for a key held by a live first run', async () => {
    const store = makeStore();
    await store.saveInProgress('evt_1', 60_000);

    const error = await rejection(store.saveInProgress('evt_1', 60_000));

    expect(error).to.be.instanceOf(IdempotencyItemAlreadyExistsError);
    expect((error as IdempotencyItemAlreadyExistsError).existingRecord?.getStatus()).to.equal('INPROGRESS');
  });

  it('refuses a key whose first run completed, and returns the stored response', async () => {
    const store = makeStore();
    await store.saveInProgress('evt_2', 60_000);
    await store.saveSuccess('evt_2', { status: 200 });

    const error = await rejection(store.saveInProgress('evt_2', 60_000));
    const record = await store.getRecord('evt_2');

    expect(error).to.be.instanceOf(IdempotencyItemAlreadyExistsError);
    expect([record.getStatus(), record.getResponse()]).to.deep.equal(['COMPLETED', { status: 200 }]);
  });

  it('gives a key again once its record expired', async () => {
    const store = makeStore(-1);
    await store.saveInProgress('evt_3', 60_000);
    await store.saveSuccess('evt_3', { status: 200 });

    await store.saveInProgress('evt_3', 60_000);

    expect((await store.getRecord('evt_3')).getStatus()).to.equal('EXPIRED');
  });

  it('gives a key again once the in-progress lease of its first run ran out', async () => {
    const store = makeStore();
    await store.saveInProgress('evt_4', 1);
    await new Promise((resolve) => setTimeout(resolve, 5));

    await store.saveInProgress('evt_4', 60_000);

    expect((await store.getRecord('evt_4')).getStatus()).to.equal('INPROGRESS');
  });

  it('forgets a deleted key', async () => {
    const store = makeStore();
    await store.saveInProgress('evt_5', 60_000);

    await store.deleteRecord('evt_5');

    expect(await rejection(store.getRecord('evt_5'))).to.be.instanceOf(IdempotencyItemNotFoundError);
  });
});
