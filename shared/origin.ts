import type { IncomingMessage } from 'node:http';

/** Queue metadata of a replayed message; set by the worker, never read from headers. */
export interface QueueMetadata {
  messageId: string;
  groupId?: string;
  sequenceNumber?: string;
  receiveCount: number;
  sentAt?: number;
}

/** The IAM principal API Gateway verified (SigV4), as its Lambda proxy event carries it. */
export interface IamCaller {
  userArn: string;
  accountId?: string;
  /** The principal's unique id (`AIDA…`, or `AROA…:session` for a role). */
  userId?: string;
}

/**
 * What an adapter knows about a request beyond its HTTP bytes: the API Gateway request id,
 * when the gateway received it (epoch ms) and, for replays, the queue message. Adapters
 * attach it to the Node request; the app copies it to `ctx.state`. A client cannot forge it.
 */
export interface RequestOrigin {
  requestId?: string;
  receivedAt?: number;
  queue?: QueueMetadata;
  /** The IAM principal API Gateway verified for an `AWS_IAM` route; only the http adapter sets it. */
  iamCaller?: IamCaller;
  /**
   * The query string was rebuilt from decoded pairs (API Gateway does not pass it as sent), so
   * its spelling may differ from the one a provider signed (Twilio signs the whole URL).
   */
  queryRebuilt?: boolean;
}

const originKey = Symbol.for('webhook-intake.origin');
type WithOrigin = IncomingMessage & { [originKey]?: RequestOrigin };

export function setOrigin(req: IncomingMessage, origin: RequestOrigin): void {
  (req as WithOrigin)[originKey] = origin;
}

export function getOrigin(req: IncomingMessage): RequestOrigin {
  return (req as WithOrigin)[originKey] ?? {};
}
