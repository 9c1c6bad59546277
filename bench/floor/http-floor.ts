// The floor of the HTTP function: the least a Koa service on Lambda can load and run — Koa
// answering `GET /health` behind the same Lambda adapter (serverless-express), no router,
// no config, no logging. `npm run bench` bundles it exactly as scripts/build.ts bundles ours.
import { configure } from '@vendia/serverless-express';
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  if (ctx.method === 'GET' && ctx.path === '/health') ctx.body = { status: 'ok' };
});

const callback = app.callback();

export const handler = configure({ app: (req, res) => void callback(req, res), respondWithErrors: false });
