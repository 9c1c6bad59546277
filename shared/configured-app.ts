import type Koa from 'koa';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { loadProviderWebhooks } from './routes/providers.ts';

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
