import type { Middleware } from 'koa';
import { BadRequestError } from './errors.ts';

/** A request target split into its raw (still percent-encoded) path and query. */
export interface RequestTarget {
  /** Starts with `/`. */
  path: string;
  /** After the `?`, as sent; absent when the target has no `?`. */
  query?: string;
}

const absoluteForm = /^https?:\/\/([^/?#]*)/i;

/**
 * Reads a request target as RFC 9112 section 3.2 allows it: origin-form (`/path?query`) or
 * absolute-form (`http://host/path?query`, whose authority is dropped: the Host header and
 * the configured public host decide, never the target). Anything else — `*`, a fragment, an
 * unparsable authority — is undefined, for a 400. Linear in the target's length.
 */
export function parseRequestTarget(target: string): RequestTarget | undefined {
  if (target.includes('#')) return undefined;
  let rest = target;
  if (!target.startsWith('/')) {
    const authority = absoluteForm.exec(target);
    if (!authority || !URL.canParse(target)) return undefined;
    rest = target.slice(authority[0].length);
    if (!rest.startsWith('/')) rest = '/' + rest;
  }
  const mark = rest.indexOf('?');
  return mark === -1 ? { path: rest } : { path: rest.slice(0, mark), query: rest.slice(mark + 1) };
}

/** The target as origin-form, `path?query`. */
export function toOriginForm(target: RequestTarget): string {
  return target.query === undefined ? target.path : `${target.path}?${target.query}`;
}

/**
 * Answers 400 `invalid_request_target` for a target `parseRequestTarget` refuses, and hands
 * the app origin-form only, so Koa's `ctx.path` (legacy `url.parse`, which throws on a bad
 * authority) and the router never see anything else.
 */
export function requestTarget(): Middleware {
  return async (ctx, next) => {
    const target = parseRequestTarget(ctx.url);
    if (!target) {
      throw new BadRequestError('invalid_request_target', 'The request target must be a path ("/…") or an absolute http(s) URL, without a fragment');
    }
    ctx.url = toOriginForm(target);
    await next();
  };
}
