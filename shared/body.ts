import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { AppError, BadRequestError } from './errors.ts';

declare module 'koa' {
  interface Request {
    /** The exact bytes the caller sent, for signature checks. Empty when there is no body. */
    rawBody: Buffer;
    /** The parsed body: an object for JSON and forms, a string for text and XML. */
    body?: unknown;
  }
}

export const defaultBodyLimit = 1024 * 1024;

/**
 * Reads the body once as bytes (413 past `limit`), keeps them in `ctx.request.rawBody`, and
 * parses JSON, url-encoded forms, text and XML into `ctx.request.body`.
 *
 * koa-bodyparser is not used: it keeps only a UTF-8 *string* of the body, which cannot
 * carry arbitrary bytes, and signatures are computed over bytes.
 */
export function bodyReader(options: { limit?: number } = {}): Middleware {
  const limit = options.limit ?? defaultBodyLimit;
  return async (ctx, next) => {
    ctx.request.rawBody = Buffer.alloc(0);
    if (ctx.request.is() !== null) {
      const encoding = ctx.get('content-encoding').toLowerCase();
      if (encoding !== '' && encoding !== 'identity') {
        throw new AppError(415, 'unsupported_content_encoding', `Content-Encoding ${encoding} is not supported`);
      }
      ctx.request.rawBody = await readBytes(ctx.req, ctx.request.length, limit);
      ctx.request.body = parseBody(ctx.request.rawBody, (types) => ctx.request.is(types));
    }
    await next();
  };
}

// A plain reader rather than raw-body, whose charset support pulls ~500 KB of iconv-lite into
// each bundle; the bytes are never decoded here.
async function readBytes(req: IncomingMessage, length: number | undefined, limit: number): Promise<Buffer> {
  if (length !== undefined && length > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) throw tooLarge(limit);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new BadRequestError('body_unreadable', 'The request body could not be read', { cause: error });
  }
  if (length !== undefined && total !== length) {
    throw new BadRequestError('body_length_mismatch', `Body has ${total} bytes but Content-Length says ${length}`);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(limit: number): AppError {
  return new AppError(413, 'payload_too_large', `Body exceeds the limit of ${limit} bytes`);
}

function parseBody(raw: Buffer, is: (types: string[]) => string | false | null): unknown {
  if (raw.length === 0) return undefined;
  if (is(['json', '+json'])) {
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch (error) {
      throw new BadRequestError('invalid_json', `Body is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  if (is(['urlencoded'])) return parseForm(raw.toString('utf8'));
  if (is(['text/*', 'xml', '+xml'])) return raw.toString('utf8');
  return undefined;
}

/** A url-encoded form as an object; a repeated key becomes an array, in order. */
export function parseForm(text: string): Record<string, string | string[]> {
  // No prototype: a key named `__proto__` must stay a key.
  const form = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of new URLSearchParams(text)) {
    const seen = form[key];
    // push, not spread: a key repeated n times must cost n, not n² (a public route parses this before any check).
    if (seen === undefined) form[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else form[key] = [seen, value];
  }
  return form;
}
