import Router from '@koa/router';

export interface ServiceInfo {
  name: string;
  version: string;
}

/** Health of the parts the app depends on; each check answers true when usable. */
export type HealthChecks = Record<string, () => boolean>;

/** `GET /` names the service; `GET /health` answers 200 when every check passes, else 503. */
export function serviceRoutes(service: ServiceInfo, checks: HealthChecks): Router {
  const router = new Router();

  router.get('/', (ctx) => {
    ctx.body = { service: service.name, version: service.version, status: 'ok' };
  });

  router.get('/health', (ctx) => {
    const results = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, check() ? 'ok' : 'failing']));
    const healthy = Object.values(results).every((result) => result === 'ok');
    ctx.status = healthy ? 200 : 503;
    ctx.body = { status: healthy ? 'ok' : 'degraded', checks: results, version: service.version };
  });

  return router;
}
