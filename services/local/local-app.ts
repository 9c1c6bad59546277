import type Koa from 'koa';
import { createApp } from '../../shared/app.ts';
import type { Config } from '../../shared/config.ts';
import type { Logger } from '../../shared/logger.ts';

/**
 * The app as `npm start` and the queue tools' `replay` run it: built from the same config as
 * the Lambda entries (services/http/handler.ts, services/worker/handler.ts), so a local replay
 * meets the routes and settings production has.
 */
export function createLocalApp(config: Config, logger: Logger): Koa {
  return createApp({ service: config.service, logger, bodyLimit: config.bodyLimit, auth: config.auth, health: { config: config.deployment.isHealthy } });
}
