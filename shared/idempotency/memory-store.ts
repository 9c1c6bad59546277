import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError, IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';

/**
 * A Powertools persistence layer in process memory, for `npm start` and tests. It keeps the
 * DynamoDB layer's conditional put: a key is taken unless it is absent, expired, or held by
 * a first run whose in-progress lease ran out. Not for Lambda: each instance has its own memory.
 */
export class MemoryPersistenceLayer extends BasePersistenceLayer {
  readonly #records = new Map<string, IdempotencyRecord>();

  protected override _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.#records.get(idempotencyKey);
    return record ? Promise.resolve(record) : Promise.reject(new IdempotencyItemNotFoundError());
  }

  protected override _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.#records.get(record.idempotencyKey);
    if (existing && !isFree(existing)) {
      return Promise.reject(new IdempotencyItemAlreadyExistsError(`Failed to put record for already existing idempotency key: ${record.idempotencyKey}`, existing));
    }
    this.#records.set(record.idempotencyKey, record);
    return Promise.resolve();
  }

  protected override _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.#records.set(record.idempotencyKey, record);
    return Promise.resolve();
  }

  protected override _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.#records.delete(record.idempotencyKey);
    return Promise.resolve();
  }
}

function isFree(record: IdempotencyRecord): boolean {
  if (record.isExpired()) return true;
  const leaseEnd = record.inProgressExpiryTimestamp;
  return record.getStatus() === IdempotencyRecordStatus.INPROGRESS && leaseEnd !== undefined && leaseEnd < Date.now();
}
