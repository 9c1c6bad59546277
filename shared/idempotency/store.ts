import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { MemoryPersistenceLayer } from './memory-store.ts';

/** Where completed deliveries are recorded: a Powertools Idempotency persistence layer. */
export type IdempotencyStore = BasePersistenceLayer;

/**
 * The DynamoDB store when a table is named (Powertools' layout: partition key `id`, TTL
 * attribute `expiration`, epoch seconds), else the in-memory one for local runs. The DynamoDB
 * client is imported only when a table is named: evaluating it costs cold start otherwise.
 * https://docs.aws.amazon.com/powertools/typescript/latest/features/idempotency/#dynamodb-table
 */
export async function createIdempotencyStore(options: { tableName?: string; client?: DynamoDBClient }): Promise<IdempotencyStore> {
  if (!options.tableName) return new MemoryPersistenceLayer();
  const { DynamoDBPersistenceLayer } = await import('@aws-lambda-powertools/idempotency/dynamodb');
  return options.client
    ? new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.client })
    : new DynamoDBPersistenceLayer({ tableName: options.tableName });
}
