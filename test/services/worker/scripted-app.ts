import Koa from 'koa';
import { getOrigin } from '../../../shared/origin.ts';

/**
 * A user's Koa app whose answer each request chooses by its path, and which records the
 * message id of every replay, in order:
 * `/status/<code>` answers that code, `/hang` never answers, `/destroy` breaks the request
 * (the injection rejects), anything else answers 200.
 */
export function makeScriptedApp(): { app: Koa; replayed: string[] } {
  const app = new Koa();
  app.silent = true;
  const replayed: string[] = [];
  app.use(async (ctx) => {
    replayed.push(getOrigin(ctx.req).queue?.messageId ?? '?');
    const code = /^\/status\/(\d{3})$/.exec(ctx.path)?.[1];
    if (code) {
      ctx.status = Number(code);
      ctx.body = { error: { code: `status_${code}`, message: 'scripted' } };
    } else if (ctx.path === '/hang') {
      await new Promise(() => undefined);
    } else if (ctx.path === '/destroy') {
      ctx.req.destroy(new Error('connection reset by the test'));
      await new Promise(() => undefined);
    } else {
      ctx.body = { ok: true };
    }
  });
  return { app, replayed };
}
