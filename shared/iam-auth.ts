import type { Middleware } from 'koa';
import { protectedPaths, type AuthenticatedUser } from './auth.ts';
import { UnauthorizedError } from './errors.ts';
import { getOrigin, type IamCaller } from './origin.ts';

export interface IamAuthOptions {
  mode: 'iam';
  /** Paths under these prefixes need a caller API Gateway verified. */
  prefixes: readonly string[];
}

/**
 * AUTH_MODE=iam: API Gateway checks the SigV4 signature on /api (`AWS_IAM` authorization) and
 * puts the verified principal in the event's request context; the app trusts that and nothing a
 * client sends. A request under the prefixes without one (a replay, a local run, a path the
 * gateway routed elsewhere) answers 401.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html
 */
export function iamAuthentication(options: IamAuthOptions): Middleware {
  const isProtected = protectedPaths(options.prefixes);
  return async (ctx, next) => {
    if (isProtected(ctx.path)) {
      const caller = getOrigin(ctx.req).iamCaller;
      if (!caller) {
        ctx.state.logger.info('authentication failed', { reason: 'missing_iam_identity' });
        throw new UnauthorizedError('missing_iam_identity', 'This path needs a request signed with AWS SigV4 through API Gateway', {
          headers: { 'WWW-Authenticate': 'AWS4-HMAC-SHA256' },
        });
      }
      ctx.state.user = toUser(caller);
    }
    await next();
  };
}

function toUser(caller: IamCaller): AuthenticatedUser {
  return { sub: caller.userArn, username: caller.userId ?? null, email: null, groups: [], tokenUse: 'iam' };
}
