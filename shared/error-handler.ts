import type { Middleware } from 'koa';
import { AppError } from './errors.ts';
import { describeError } from './logger.ts';

const codeByStatus: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

interface HttpLikeError {
  status?: unknown;
  expose?: unknown;
  message?: unknown;
  headers?: unknown;
}

/**
 * Turns every error into `{"error":{"code","message"}}`. Statuses below 500 keep their
 * message; 5xx answer a fixed text and the details go to the log only. Also gives a JSON
 * body to the bare 404, 405 and 501 that Koa and the router leave behind.
 */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) {
        throw new AppError(404, 'not_found', `No route for ${ctx.method} ${ctx.path}`);
      }
      if (ctx.status === 405 && ctx.body == null) {
        throw new AppError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
      }
      if (ctx.status === 501 && ctx.body == null) {
        // The router's answer to a method no route knows (PROPFIND, MKCOL…): a client's
        // mistake, answered in JSON like the rest but not logged as a failure of ours.
        ctx.body = { error: { code: 'not_implemented', message: `${ctx.method} is not a method of this service` } };
      }
    } catch (error) {
      const { status, code, message, headers } = toResponse(error);
      if (status >= 500) {
        ctx.state.logger.error('request failed', describeError(error));
      }
      ctx.status = status;
      ctx.set(headers);
      ctx.body = { error: { code, message } };
    }
  };
}

function toResponse(error: unknown): { status: number; code: string; message: string; headers: Record<string, string> } {
  if (error instanceof AppError) {
    return { status: error.status, code: error.code, message: error.expose ? error.message : 'Internal server error', headers: error.headers };
  }
  const e = (error ?? {}) as HttpLikeError;
  const status = typeof e.status === 'number' && e.status >= 400 && e.status <= 599 ? e.status : 500;
  if (status >= 500 || e.expose !== true) {
    return { status, code: status >= 500 ? 'internal_error' : (codeByStatus[status] ?? 'client_error'), message: status >= 500 ? 'Internal server error' : 'Request rejected', headers: {} };
  }
  const headers = typeof e.headers === 'object' && e.headers !== null ? (e.headers as Record<string, string>) : {};
  return { status, code: codeByStatus[status] ?? 'client_error', message: String(e.message), headers };
}
