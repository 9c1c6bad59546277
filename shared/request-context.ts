import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { elapsedMs, type Logger } from './logger.ts';
import { getOrigin } from './origin.ts';
import { parseRequestTarget } from './request-target.ts';

// A caller-supplied id is echoed into logs and headers, so only a short token is accepted.
const acceptableRequestId = /^[\w.:-]{1,128}$/;

/**
 * Gives every request an id (`x-request-id` if the caller sent a sane one, else the API
 * Gateway request id, else a new UUID; in a replay always API Gateway's, so that a queued
 * header cannot mark the app's log lines), puts the adapter's origin into `ctx.state`, and
 * writes one access log line per request. A replayed request gets none: the worker writes one
 * line per queue record, with the same method, path, status and request id.
 */
export function requestContext(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const origin = getOrigin(ctx.req);
    const incoming = origin.queue ? '' : ctx.get('x-request-id');
    const requestId = acceptableRequestId.test(incoming) ? incoming : (origin.requestId ?? randomUUID());

    ctx.state.requestId = requestId;
    ctx.state.receivedAt = origin.receivedAt ?? Date.now();
    if (origin.queue) ctx.state.queue = origin.queue;
    ctx.state.logger = logger.child({ requestId, ...(origin.queue ? { messageId: origin.queue.messageId } : {}) });
    ctx.set('x-request-id', requestId);

    try {
      await next();
    } finally {
      if (!origin.queue) ctx.state.logger.info('request', {
        method: ctx.method,
        // Not ctx.path: Koa parses an absolute-form target with url.parse, which throws on a bad host.
        path: parseRequestTarget(ctx.url)?.path ?? null,
        status: ctx.status,
        durationMs: elapsedMs(started),
      });
    }
  };
}
