import { createHash } from 'node:crypto';
import Router from '@koa/router';

/**
 * `POST /webhook`: the unverified example endpoint. It answers what it received — size,
 * SHA-256 of the exact bytes, content type — so byte fidelity through the queue is visible.
 */
export function webhookRoutes(): Router {
  const router = new Router();

  router.post('/webhook', (ctx) => {
    const raw = ctx.request.rawBody;
    ctx.body = {
      received: true,
      bytes: raw.length,
      sha256: createHash('sha256').update(raw).digest('hex'),
      contentType: ctx.get('content-type') || null,
    };
  });

  return router;
}
