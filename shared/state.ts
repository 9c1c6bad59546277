import type { AuthenticatedUser } from './auth.ts';
import type { Logger } from './logger.ts';
import type { QueueMetadata } from './origin.ts';

declare module 'koa' {
  /** What the app's middleware keeps in `ctx.state`, typed once for every middleware and route. */
  interface DefaultState {
    /** Set by `requestContext` first: the id echoed in `x-request-id` and every log line. */
    requestId: string;
    /** When API Gateway received the request (epoch ms), also for a replay hours later. */
    receivedAt: number;
    /** The queue message a replayed request came from; absent on the direct path. */
    queue?: QueueMetadata;
    /** The request's logger, with its request id (and message id) bound. */
    logger: Logger;
    /** The verified caller, under the authenticated prefixes. */
    user?: AuthenticatedUser;
  }
}
