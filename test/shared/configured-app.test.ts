import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { expect } from 'chai';
import { loadConfig } from '../../shared/config.ts';
import { loadProviderWebhooks } from '../../shared/configured-app.ts';
import { MemoryPersistenceLayer } from '../../shared/idempotency/memory-store.ts';
import { makeCapturingLogger } from '../../factories/logger.ts';

describe('loadProviderWebhooks', () => {
  it('gives the routes the configured secrets and public host, and an in-memory store without a table', async () => {
    const config = await loadConfig({ STRIPE_WEBHOOK_SECRETS: 'whsec_new,whsec_old', PUBLIC_HOST_NAME: 'hooks.example.com', IDEMPOTENCY_TTL_SECONDS: '86400' });

    const webhooks = await loadProviderWebhooks(config, makeCapturingLogger().logger);

    expect(await webhooks.secrets()).to.deep.equal({ stripe: ['whsec_new', 'whsec_old'] });
    expect(await webhooks.publicHost()).to.equal('hooks.example.com');
    expect(webhooks.idempotency.store).to.be.instanceOf(MemoryPersistenceLayer);
    expect(webhooks.idempotency.expiresAfterSeconds).to.equal(86_400);
  });

  it('records deliveries in the DynamoDB table IDEMPOTENCY_TABLE names', async () => {
    const config = await loadConfig({ IDEMPOTENCY_TABLE: 'webhook-deliveries' });

    const webhooks = await loadProviderWebhooks(config, makeCapturingLogger().logger);

    // The store imports the layer with import() (its ESM build); a static import here may get the
    // CommonJS build, a different class object: compare by name.
    expect(webhooks.idempotency.store.constructor.name).to.equal(DynamoDBPersistenceLayer.name);
    expect(webhooks.idempotency.store).to.include({ tableName: 'webhook-deliveries' });
  });
});
