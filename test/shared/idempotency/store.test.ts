import { expect } from 'chai';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MemoryPersistenceLayer } from '../../../shared/idempotency/memory-store.ts';
import { createIdempotencyStore } from '../../../shared/idempotency/store.ts';

describe('createIdempotencyStore', () => {
  it('keeps deliveries in memory when no table is named', () => {
    expect(createIdempotencyStore({})).to.be.instanceOf(MemoryPersistenceLayer);
  });

  it('uses Powertools’ DynamoDB layer on the named table', () => {
    const store = createIdempotencyStore({ tableName: 'webhook-deliveries' });

    expect(store).to.be.instanceOf(DynamoDBPersistenceLayer);
    expect(store).to.include({ tableName: 'webhook-deliveries', keyAttr: 'id', expiryAttr: 'expiration' });
  });
});
