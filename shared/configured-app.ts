import type Koa from 'koa';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { createIdempotencyStore } from './idempotency/store.ts';
import { describeError, type Logger } from './logger.ts';
import type { ProviderWebhooks } from './routes/providers.ts';
import { loadWebhookSecrets } from './signatures/secrets.ts';

/**
 * The app as every entry point builds it from config — the http and worker functions,
 * `npm start` and the queue tools — so a replay meets the routes and settings the direct path has.
 */
export async function createConfiguredApp(config: Config, logger: Logger): Promise<Koa> {
  return createApp({
    service: config.service,
    logger,
    bodyLimit: config.bodyLimit,
    auth: config.auth,
    health: { config: config.deployment.isHealthy },
    webhooks: await loadProviderWebhooks(config, logger),
  });
}

/** The provider routes' needs from the config: secrets (SSM or env), public host, idempotency store. */
export async function loadProviderWebhooks(config: Config, logger: Logger): Promise<ProviderWebhooks> {
  const secrets = await loadWebhookSecrets(config.webhookSecrets, config.parameters, (error) =>
    logger.warn('webhook secret refresh failed, previous secrets kept', describeError(error)),
  );
  return {
    secrets: () => secrets.get(),
    publicHost: async () => (await config.deployment.get()).publicHost,
    idempotency: {
      store: await createIdempotencyStore({ tableName: config.idempotency.tableName }),
      expiresAfterSeconds: config.idempotency.expiresAfterSeconds,
    },
  };
}
