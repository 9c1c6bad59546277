// The soak's app: the real createApp plus a webhook route whose answers follow a fault plan,
// and which records each webhook's effect once, as an idempotent handler would.
import { setTimeout as sleep } from 'node:timers/promises';
import type Koa from 'koa';
import { createApp } from '../../../shared/app.ts';
import type { Logger } from '../../../shared/logger.ts';

/** What one attempt gets: a 503, a thrown error, an answer slower than the replay timeout, a slow 200, a 422, or a 200. */
export type Fault = '503' | 'throw' | 'timeout' | 'slow' | '422' | 'ok';

export interface Webhook {
  id: string;
  group: number;
  seq: number;
}

export interface FaultyApp {
  app: Koa;
  /** Per group, the seq of each webhook whose effect was applied, in the order applied. */
  effects: Map<number, number[]>;
  /** Faults served, by kind. */
  served: Record<Fault, number>;
  /** 2xx deliveries of a webhook whose effect was already applied. */
  duplicateDeliveries: number;
}

/**
 * `plan` gives each webhook id the answers of its first attempts; later attempts succeed.
 * `timeoutMs` is how long a `timeout` fault sleeps: longer than the worker's replay timeout.
 */
export function makeFaultyApp(options: { logger: Logger; plan: Map<string, Fault[]>; timeoutMs: number }): FaultyApp {
  const app = createApp({ service: { name: 'webhook-intake', version: '0.0.0-soak' }, logger: options.logger });
  const attempts = new Map<string, number>();
  const applied = new Set<string>();
  const result: FaultyApp = {
    app,
    effects: new Map(),
    served: { '503': 0, throw: 0, timeout: 0, slow: 0, '422': 0, ok: 0 },
    duplicateDeliveries: 0,
  };

  // `POST /webhook/soak-<group>`: each path is its own message group (shared/queue-message/routes.ts).
  // Runs after the app's routers, which leave these paths unmatched.
  app.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || !ctx.path.startsWith('/webhook/soak-')) {
      await next();
      return;
    }
    const webhook = ctx.request.body as Webhook;
    const attempt = (attempts.get(webhook.id) ?? 0) + 1;
    attempts.set(webhook.id, attempt);
    const fault = options.plan.get(webhook.id)?.[attempt - 1] ?? 'ok';
    result.served[fault] += 1;
    if (fault === '503') {
      ctx.status = 503;
      ctx.body = { error: { code: 'unavailable', message: 'injected 503' } };
      return;
    }
    if (fault === 'throw') throw new Error('injected exception');
    if (fault === '422') {
      ctx.status = 422;
      ctx.body = { error: { code: 'rejected', message: 'injected permanent 422' } };
      return;
    }
    if (fault === 'timeout') await sleep(options.timeoutMs);
    if (fault === 'slow') await sleep(20 + (attempt % 3) * 15);
    if (applied.has(webhook.id)) {
      result.duplicateDeliveries += 1;
    } else {
      applied.add(webhook.id);
      result.effects.set(webhook.group, [...(result.effects.get(webhook.group) ?? []), webhook.seq]);
    }
    ctx.body = { ok: true };
  });
  return result;
}
