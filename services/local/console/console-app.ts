import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { bodyReader } from '../../../shared/body.ts';
import { errorHandler } from '../../../shared/error-handler.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Logger } from '../../../shared/logger.ts';
import { secretVariables, type ProviderSecrets } from '../../../shared/signatures/secrets.ts';
import type { ConsoleActions } from './console-actions.ts';
import { describeDelivery, summarize } from './delivery-view.ts';
import type { EventStream } from './event-stream.ts';
import type { DeliveryJournal } from './journal.ts';
import type { QueueHealth } from './queue-health.ts';
import { createRedactor } from './redact.ts';
import { sampleTargets } from './samples.ts';

/** Where the console lives; the app owns `/`, `/health`, `/webhook*` and `/api/*`. */
export const consolePath = '/_console';

interface ConsoleAppOptions {
  journal: DeliveryJournal;
  actions: ConsoleActions;
  events: EventStream;
  health: () => Promise<QueueHealth>;
  secrets: () => Promise<ProviderSecrets>;
  logger: Logger;
}

const pageHeaders = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
};

const page = (name: string) => readFileSync(new URL(`./page/${name}`, import.meta.url));
const assets: Record<string, [string, Buffer]> = {
  '/': ['text/html; charset=utf-8', page('index.html')],
  '/console.js': ['text/javascript; charset=utf-8', page('console.js')],
  '/console.css': ['text/css; charset=utf-8', page('console.css')],
};

/**
 * The console's own small Koa app under `/_console`: the page, its event stream, and a JSON
 * API for the page's buttons. It answers only a browser on this machine (see `localOnly`).
 */
export function createConsoleApp(options: ConsoleAppOptions): Koa {
  const { journal, actions, events } = options;
  const app = new Koa();
  app.silent = true;
  const router = new Router({ prefix: consolePath });
  const redactor = async () => createRedactor(Object.values(await options.secrets()).flat());

  router.get('/', (ctx) => {
    if (!ctx.path.endsWith('/')) return ctx.redirect(`${consolePath}/`);
    serve(ctx, '/');
  });
  router.get('/console.js', (ctx) => serve(ctx, '/console.js'));
  router.get('/console.css', (ctx) => serve(ctx, '/console.css'));

  router.get('/events', async (ctx) => {
    const health = await options.health().catch(() => undefined);
    events.open(ctx, [['snapshot', journal.list().map(summarize)], ...(health ? [['health', health] as [string, unknown]] : [])]);
  });
  router.get('/api/deliveries', (ctx) => {
    ctx.body = { deliveries: journal.list().map(summarize) };
  });
  router.get('/api/deliveries/:id', async (ctx) => {
    const delivery = journal.get(ctx.params.id ?? '');
    if (!delivery) throw new AppError(404, 'delivery_not_found', `No delivery ${ctx.params.id} in the console's memory`);
    ctx.body = describeDelivery(delivery, await redactor());
  });
  router.post('/api/deliveries/:id/replay', async (ctx) => {
    ctx.body = await actions.replayDelivery(ctx.params.id ?? '');
  });
  router.post('/api/dlq/replay', async (ctx) => {
    ctx.body = await actions.replayDlq();
  });
  router.post('/api/dlq/redrive', async (ctx) => {
    ctx.body = await actions.redriveDlq();
  });
  router.get('/api/health', async (ctx) => {
    ctx.body = await options.health();
  });
  router.get('/api/samples', async (ctx) => {
    const secrets = await options.secrets();
    ctx.body = {
      samples: sampleTargets.map((target) => (target === 'webhook'
        ? { target, path: '/webhook', signed: false, ready: true }
        : { target, path: `/webhook/${target}`, signed: true, ready: (secrets[target]?.length ?? 0) > 0, variable: secretVariables[target] })),
    };
  });
  router.post('/api/samples/:target', async (ctx) => {
    const target = sampleTargets.find((name) => name === ctx.params.target);
    if (!target) throw new AppError(404, 'unknown_sample', `No sample for "${ctx.params.target}"; one of ${sampleTargets.join(', ')}`);
    ctx.body = await actions.sendSample(target, (ctx.request.body as { forged?: unknown } | undefined)?.forged === true);
  });

  app.use(async (ctx, next) => {
    ctx.state.logger = options.logger;
    // The page shows what any sender posted, and its buttons act on the queue: no other site may
    // frame it and trick a click (clickjacking), and it runs its own script only.
    ctx.set(pageHeaders);
    await next();
  });
  app.use(errorHandler());
  app.use(localOnly());
  app.use(bodyReader({ limit: 4096 }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

function serve(ctx: Koa.Context, name: string): void {
  const [type, body] = assets[name]!;
  ctx.type = type;
  ctx.set('cache-control', 'no-store');
  ctx.body = body;
}

/**
 * The console shows webhook bodies and sends signed webhooks, so it answers only a browser on
 * this machine: a loopback peer, a loopback Host (a tunnel such as ngrok forwards with its own
 * Host, and DNS rebinding needs a foreign one), no proxy's forwarding headers, and for actions a
 * same-origin JSON request, which another site's page cannot make without CORS.
 */
function localOnly(): Middleware {
  return async (ctx, next) => {
    const host = ctx.get('host').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    const peer = ctx.req.socket.remoteAddress ?? '';
    const forwarded = ctx.get('x-forwarded-for') !== '' || ctx.get('forwarded') !== '';
    if (!isLoopback(peer) || !(host === 'localhost' || isLoopback(host)) || forwarded) {
      throw new AppError(403, 'console_local_only', 'The console answers only on this machine, at a loopback address such as 127.0.0.1');
    }
    if (ctx.method === 'POST') {
      const origin = ctx.get('origin');
      if (origin !== '' && origin !== `${ctx.protocol}://${ctx.get('host')}`) throw new AppError(403, 'cross_origin', 'Console actions come from the console page only');
      if (!ctx.is('application/json')) throw new AppError(415, 'json_required', 'Console actions are JSON requests');
    }
    await next();
  };
}

function isLoopback(address: string): boolean {
  const plain = address.replace(/^::ffff:/, '');
  return (isIP(plain) === 4 && plain.startsWith('127.')) || plain === '::1';
}
