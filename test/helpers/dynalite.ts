// A DynamoDB-protocol server (dynalite, in memory) on 127.0.0.1 for tests that need real
// conditional writes. dynalite has no TTL and no transactions.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

// dynalite is CommonJS without type declarations.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs?: number }) => Server;

export interface LocalDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  /** Creates a table in the Powertools Idempotency layout (partition key `id`) and returns its name. */
  createIdempotencyTable(name?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  let tables = 0;

  return {
    endpoint,
    client,
    createIdempotencyTable: async (name = `idempotency-${++tables}`) => {
      await client.send(new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }));
      return name;
    },
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
