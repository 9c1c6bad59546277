import Router from '@koa/router';

/** `GET /api/{path+}`: the catch-all API example; echoes the matched path, query and caller. */
export function apiRoutes(): Router {
  const router = new Router();

  router.get('/api/*path', (ctx) => {
    ctx.body = { path: ctx.path, query: ctx.query, user: ctx.state.user ?? null };
  });

  return router;
}
