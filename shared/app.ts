import Koa from 'koa';
import { authentication, type AuthOptions } from './auth.ts';
import { bodyReader } from './body.ts';
import { errorHandler } from './error-handler.ts';
import { iamAuthentication, type IamAuthOptions } from './iam-auth.ts';
import { createLogger, type Logger } from './logger.ts';
import { requestContext } from './request-context.ts';
import { requestTarget } from './request-target.ts';
import { apiRoutes } from './routes/api.ts';
import { providerRoutes, type ProviderWebhooks } from './routes/providers.ts';
import { serviceRoutes, type HealthChecks, type ServiceInfo } from './routes/service.ts';
import { webhookRoutes } from './routes/webhook.ts';

export interface AppDeps {
  service: ServiceInfo;
  logger?: Logger;
  /** Largest accepted body in bytes; larger answers 413. */
  bodyLimit?: number;
  health?: HealthChecks;
  /** Cognito tokens (or, with `mode: 'iam'`, API Gateway's SigV4 identity) required under `auth.prefixes`; without it, authentication is off. */
  auth?: AuthOptions | IamAuthOptions;
  /** Secrets, public host and idempotency store of the provider webhook routes; without it they answer 503. */
  webhooks?: ProviderWebhooks;
}

/**
 * Builds the Koa app served directly, by the HTTP function and by the queue worker. It reads
 * no environment and never listens: adapters call `app.callback()`.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const logger = deps.logger ?? createLogger();
  // Errors are answered by errorHandler; Koa's default handler would print them to stderr again.
  app.silent = true;

  app.use(requestContext(logger));
  app.use(errorHandler());
  app.use(requestTarget());
  // Before the body is read: an unauthenticated caller costs no body bytes.
  if (deps.auth) app.use('mode' in deps.auth ? iamAuthentication(deps.auth) : authentication(deps.auth));
  app.use(bodyReader({ limit: deps.bodyLimit }));
  for (const router of [serviceRoutes(deps.service, deps.health ?? {}), webhookRoutes(), providerRoutes(deps.webhooks), apiRoutes()]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
