import { IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyPersistenceLayerError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context as LambdaContext } from 'aws-lambda';
import type { Context, Middleware } from 'koa';
import { AppError, ServiceUnavailableError } from '../errors.ts';
import type { IdempotencyStore } from './store.ts';

export interface DeliveryGuardOptions {
  store: IdempotencyStore;
  /** How long a completed delivery is remembered: longer than any provider retries. */
  expiresAfterSeconds: number;
  /**
   * How long a first run holds its delivery before a retry may take over (the run crashed).
   * Longer than a replay may take, shorter than the queue's visibility timeout.
   */
  inProgressSeconds?: number;
}

/** Reads the idempotency key of a verified request: built only from what its signature covers. */
export type IdempotencyKeyReader = (ctx: Context) => string;

/** Reads a provider's delivery id, for logs and answers only: it may not be signed. */
export type DeliveryIdReader = (ctx: Context) => string | undefined;

/**
 * Not an error: the handler answered without a 2xx, so the delivery is not recorded as done.
 * Private to this module, where it is thrown and caught.
 */
class NotCompleted extends Error {
  override readonly name = 'NotCompleted';
}

/**
 * Makes each provider delivery run its handler once, with Powertools Idempotency keyed by what
 * the signature covers (never by an unsigned delivery-id header, which a replayed capture
 * could change): a repeat of a completed delivery answers 200 `{"duplicate":true}` without
 * running the handler; one whose first run still holds it answers 409 so it is retried; a
 * handler that throws or answers anything but 2xx releases the delivery for the retry.
 */
export function createDeliveryGuard(options: DeliveryGuardOptions): (provider: string, keyOf: IdempotencyKeyReader, deliveryIdOf: DeliveryIdReader) => Middleware {
  const config = new IdempotencyConfig({ expiresAfterSeconds: options.expiresAfterSeconds });
  // Powertools sizes the in-progress lease from the Lambda deadline; the app never sees the
  // Lambda context (the worker replays through HTTP), so the lease is a fixed length.
  const leaseMs = (options.inProgressSeconds ?? 120) * 1000;
  config.registerLambdaContext({ getRemainingTimeInMillis: () => leaseMs } as LambdaContext);
  // The key prefix is fixed, not the function name (Powertools' default), so the http and
  // worker functions see the same deliveries.
  const runOnce = makeIdempotent((_key: string, run: () => Promise<{ status: number }>) => run(), {
    persistenceStore: options.store,
    config,
    keyPrefix: 'webhook-delivery',
    dataIndexArgument: 0,
  });

  return (provider, keyOf, deliveryIdOf) => async (ctx, next) => {
    const { logger } = ctx.state;
    const key = keyOf(ctx);
    let ran = false;
    try {
      await runOnce(`${provider}#${key}`, async () => {
        ran = true;
        await next();
        if (ctx.status < 200 || ctx.status > 299) throw new NotCompleted();
        return { status: ctx.status };
      });
    } catch (error) {
      if (error instanceof NotCompleted) return;
      throw translate(error, provider);
    }
    if (!ran) {
      logger.info('duplicate delivery', { provider, key, deliveryId: deliveryIdOf(ctx) ?? null });
      ctx.status = 200;
      ctx.body = { duplicate: true };
    }
  };
}

function translate(error: unknown, provider: string): unknown {
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new AppError(409, 'delivery_in_progress', `This ${provider} delivery is being handled; retry later`, { cause: error });
  }
  if (error instanceof IdempotencyPersistenceLayerError) {
    return new ServiceUnavailableError('idempotency_store_unavailable', 'The idempotency store is unavailable; retry later', { cause: error });
  }
  return error;
}
