import { expect } from 'chai';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MemoryPersistenceLayer } from '../../../shared/idempotency/memory-store.ts';
import { createIdempotencyStore } from '../../../shared/idempotency/store.ts';

describe('createIdempotencyStore', () => {
  it('keeps deliveries in memory when no table is named', async () => {
    expect(await createIdempotencyStore({})).to.be.instanceOf(MemoryPersistenceLayer);
  });

  it('uses Powertools’ DynamoDB layer on the named table', async () => {
    const store = await createIdempotencyStore({ tableName: 'webhook-deliveries' });

    // import() in the store may load the ESM build, a static import here the CommonJS one: compare by name.
    expect(store.constructor.name).to.equal(DynamoDBPersistenceLayer.name);
    expect(store).to.include({ tableName: 'webhook-deliveries', keyAttr: 'id', expiryAttr: 'expiration' });
  });
});
