import type Koa from 'koa';
import inject, { type InjectOptions, type Response } from 'light-my-request';
import type { RequestListener } from 'node:http';
import { setDataProperty } from '../../shared/data-property.ts';
import { setOrigin, type RequestOrigin } from '../../shared/origin.ts';
import type { ReplayRequest } from '../../shared/queue-message/replay-request.ts';
import { ReplayTimeoutError } from './errors.ts';

interface ReplayResult {
  status: number;
  /** `error.code` of the app's error answer, when it gave one (never the message: it may echo the body). */
  errorCode?: string;
  /** What the app answered, for record observers (the local console); never logged. */
  answer: ReplayAnswer;
}

export interface ReplayAnswer {
  contentType?: string;
  body: string;
}

export type Replay = (request: ReplayRequest, origin: RequestOrigin, timeoutMs: number) => Promise<ReplayResult>;

// light-my-request computes these from the payload; the original values would make the body
// reader wait for bytes that never come or answer 400 (README.md "Worker", Replay).
const recomputedHeaders = new Set(['content-length', 'transfer-encoding']);

/**
 * Injects rebuilt requests into the app in process, through the same `app.callback()` the
 * HTTP function uses. Queue metadata travels as the request's origin, never as headers.
 */
export function createReplayer(app: Koa): Replay {
  const callback = app.callback();

  return (request, origin, timeoutMs) => {
    const target = toTarget(request);
    const listener = listenerFor(callback, target, origin);
    const options: InjectOptions = { method: request.method, url: '/', headers: forwardedHeaders(request.headers), payload: request.body };
    if (request.sourceIp) options.remoteAddress = request.sourceIp;

    // light-my-request's callback form: one promise and one timer per replay, settled by
    // whichever comes first (a late answer after the timeout is dropped).
    return new Promise<ReplayResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ReplayTimeoutError(timeoutMs)), timeoutMs);
      const settle = settlerFor(timer, resolve, reject);
      try {
        inject(listener, options, settle);
      } catch (error) {
        settle(error as Error, undefined);
      }
    });
  };
}

// The per-replay closures come from factories: the bundle keeps function names (keepNames),
// and a closure assigned to a named constant would be renamed on every replay.

/** The app's listener for one replay. */
function listenerFor(callback: ReturnType<Koa['callback']>, target: string, origin: RequestOrigin): RequestListener {
  return (req, res) => {
    setOrigin(req, origin);
    // light-my-request re-parses its url with WHATWG URL (dot segments resolved, ' escaped in
    // the query); the app must see the target as the gateway received it.
    req.url = target;
    void callback(req, res);
  };
}

/** light-my-request's callback for one replay: the answer, or its error, ends the timer. */
function settlerFor(timer: NodeJS.Timeout, resolve: (result: ReplayResult) => void, reject: (error: Error) => void): (error: Error | undefined, response: Response | undefined) => void {
  return (error, response) => {
    clearTimeout(timer);
    if (error || !response) {
      reject(error ?? new Error('light-my-request gave neither an answer nor an error'));
      return;
    }
    const status = response.statusCode;
    const contentType = response.headers['content-type'];
    const answer = typeof contentType === 'string' ? { contentType, body: response.body } : { body: response.body };
    resolve(status < 400 ? { status, answer } : { status, answer, ...errorCodeOf(contentType, response.body) });
  };
}

/** The request's headers but those light-my-request recomputes. */
function forwardedHeaders(headers: Record<string, string>): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const name of Object.keys(headers)) if (!recomputedHeaders.has(name)) setDataProperty(forwarded, name, headers[name]);
  return forwarded;
}

/**
 * Path and query as a request target: the path with what a target cannot hold as it is
 * percent-encoded (`?`, `#`, space, controls, non-ASCII; `?` and `#` stay part of the path),
 * then the raw query when the message carried it, else one rebuilt from the pairs.
 */
function toTarget(request: ReplayRequest): string {
  const path = request.path.replace(/[?#]|[^\x21-\x7e]/gu, (c) => [...Buffer.from(c, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
  if (request.rawQuery !== undefined) return `${path}?${request.rawQuery}`;
  return request.query.length === 0 ? path : `${path}?${new URLSearchParams(request.query).toString()}`;
}

function errorCodeOf(contentType: unknown, body: string): { errorCode?: string } {
  if (typeof contentType !== 'string' || !contentType.includes('json')) return {};
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' ? { errorCode: code } : {};
  } catch {
    // A non-JSON answer from the user's own route simply has no code to report.
    return {};
  }
}
