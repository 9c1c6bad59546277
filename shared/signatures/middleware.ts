import type { Middleware } from 'koa';
import { ServiceUnavailableError } from '../errors.ts';
import { getOrigin } from '../origin.ts';
import { SignatureError } from './errors.ts';
import type { SignedRequest, Verifier } from './verifier.ts';

/**
 * Lets a request through only when the route's verifier accepts its signature; otherwise
 * answers 401 with the reason code (through the worker that parks the message, so a wrong
 * secret never loses a webhook: fix the secret, redrive). `verifierFor` is asked on every
 * request, so refreshed secrets apply at once. Without a verifier — no secret configured for
 * the route — it answers 503, which the worker retries until the DLQ.
 */
export function verifySignature(provider: string, verifierFor: () => Promise<Verifier | undefined>): Middleware {
  return async (ctx, next) => {
    const verifier = await verifierFor();
    if (verifier === undefined) {
      throw new ServiceUnavailableError('signature_secret_not_configured', `No signing secret is configured for ${provider}`);
    }
    const request: SignedRequest = {
      body: ctx.request.rawBody,
      header: (name) => ctx.get(name),
      // ctx.url, not originalUrl: requestTarget has made an absolute-form target origin-form.
      url: ctx.url,
      queryRebuilt: getOrigin(ctx.req).queryRebuilt === true,
      receivedAt: ctx.state.receivedAt,
    };
    try {
      verifier(request);
    } catch (error) {
      if (error instanceof SignatureError) {
        ctx.state.logger.warn('signature rejected', { provider, reason: error.code });
      }
      throw error;
    }
    await next();
  };
}
