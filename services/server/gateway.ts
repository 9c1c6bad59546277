import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError, type Logger } from '../../shared/logger.ts';
import { isQueuedPath, messageIds } from '../../shared/queue-message/routes.ts';
import { parseRequestTarget, type RequestTarget } from '../../shared/request-target.ts';
import { encodeRestEnvelope } from '../../shared/queue-message/envelope.ts';
import type { ReplayRequest } from '../../shared/queue-message/replay-request.ts';
import { guaranteedBodyBytes, sqsMaxMessageBytes } from '../../shared/queue-message/size.ts';

export interface GatewayOptions {
  /** The app, served directly for everything that is not a queued webhook. */
  app: RequestListener;
  sqs: SQSClient;
  queueUrl: string;
  logger: Logger;
  /** Largest body queued, in bytes; larger answers 413. */
  bodyLimit: number;
  /** The queue's MaximumMessageSize: a webhook whose message would be larger answers 413, not 503. */
  maxMessageBytes?: number;
  /** `$context.stage` in the envelope. */
  stage?: string;
  /**
   * Behind a load balancer: the client's address is the last one in X-Forwarded-For, which the
   * Application Load Balancer appends; the socket's is the balancer's.
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
   */
  trustProxy?: boolean;
  /** Told of every webhook POST the gateway answered (the local console's hook); must not throw. */
  onDelivery?: (delivery: GatewayDelivery) => void;
}

/** What the gateway did with one webhook POST. */
export interface GatewayDelivery {
  requestId: string;
  receivedAt: number;
  path: string;
  /** The request as queued or refused; absent when the body was too large or broken off. */
  request?: ReplayRequest;
  /** The gateway's answer: 202 queued, 413, 400, or 503 when the queue refused it. */
  status: number;
  messageId?: string;
  groupId?: string;
}

/**
 * The REST API's webhook path on one host (npm start, the container): `POST /webhook` and
 * `POST /webhook/*` become the SQS message the REST API request template builds (same encoder,
 * same group and dedup ids) and are answered 202 as API Gateway's integration response does;
 * every other request goes
 * straight to the app, as the http function would serve it. A send the queue refuses answers
 * 503, never 2xx, so the provider retries rather than lose the webhook.
 */
export function createGateway(options: GatewayOptions): RequestListener {
  return (req, res) => {
    // A target the parser refuses goes to the app too, which answers it 400 invalid_request_target.
    const target = parseRequestTarget(req.url ?? '');
    if (req.method !== 'POST' || !target || !isQueuedPath(target.path)) {
      options.app(req, res);
      return;
    }
    const requestId = randomUUID();
    const logger = options.logger.child({ requestId });
    enqueue(req, res, target, requestId, logger, options).catch((error: unknown) => {
      // Nothing of one request may end the process (and the queue held in it).
      logger.error('gateway failed', describeError(error));
      if (res.headersSent) res.destroy();
      else answer(res, 500, { error: { code: 'internal_error', message: 'Internal server error' } });
    });
  };
}

async function enqueue(req: IncomingMessage, res: ServerResponse, target: RequestTarget, requestId: string, logger: Logger, options: GatewayOptions): Promise<void> {
  const receivedAt = Date.now();
  res.setHeader('x-amzn-requestid', requestId);
  // Every answer carries x-request-id (README "Endpoints"): here the id the worker's record line carries.
  res.setHeader('x-request-id', requestId);

  const report = (delivery: Omit<GatewayDelivery, 'requestId' | 'receivedAt' | 'path'>) => {
    try {
      options.onDelivery?.({ requestId, receivedAt, path: target.path, ...delivery });
    } catch (error) {
      logger.error('delivery observer failed', describeError(error));
    }
  };

  const maxMessageBytes = options.maxMessageBytes ?? sqsMaxMessageBytes;
  // Base64 alone grows a body by 4/3: past this, no message of the queue's size can carry it.
  const readLimit = Math.min(options.bodyLimit, Math.floor(maxMessageBytes / 4) * 3);
  const body = await readBody(req, readLimit);
  if (typeof body === 'number') {
    report({ status: body });
    answer(res, body, body === 413
      ? { error: { code: 'payload_too_large', message: `Body exceeds the limit of ${readLimit} bytes` } }
      : { error: { code: 'body_unreadable', message: 'The request body could not be read' } });
    return;
  }
  const headers = flattenHeaders(req);
  const request: ReplayRequest = {
    method: 'POST',
    path: target.path,
    query: [...new URLSearchParams(target.query ?? '')],
    ...(target.query === undefined ? {} : { rawQuery: target.query }),
    headers,
    body,
    sourceIp: (options.trustProxy ? lastForwardedFor(req) : undefined) ?? req.socket.remoteAddress ?? '',
    requestId,
    receivedAt,
    domainName: headers.host ?? '',
    stage: options.stage ?? 'local',
  };
  const ids = messageIds(request, requestId);

  // Measured, not estimated: SQS refuses a message over its size for good, and a 5xx for that
  // would have the provider retry a webhook that can never be queued.
  const message = encodeRestEnvelope(request);
  const messageBytes = Buffer.byteLength(message, 'utf8');
  if (messageBytes > maxMessageBytes) {
    logger.warn('webhook too large to queue', { path: request.path, bytes: body.length, messageBytes, maxMessageBytes });
    const detail = `The webhook makes a ${messageBytes}-byte queue message; the queue takes ${maxMessageBytes} (bodies up to ${guaranteedBodyBytes(maxMessageBytes)} bytes always fit)`;
    report({ status: 413, request });
    answer(res, 413, { error: { code: 'payload_too_large', message: detail } });
    return;
  }

  try {
    const sent = await options.sqs.send(new SendMessageCommand({
      QueueUrl: options.queueUrl,
      MessageBody: message,
      MessageGroupId: ids.groupId,
      MessageDeduplicationId: ids.deduplicationId,
    }));
    logger.info('webhook queued', { path: request.path, messageId: sent.MessageId, groupId: ids.groupId, bytes: body.length });
    report({ request, status: 202, ...(sent.MessageId ? { messageId: sent.MessageId } : {}), groupId: ids.groupId });
    answer(res, 202, { accepted: true, messageId: sent.MessageId, requestId });
  } catch (error) {
    logger.error('webhook not queued', { path: request.path, ...describeError(error) });
    report({ request, status: 503 });
    answer(res, 503, { error: { code: 'queue_unavailable', message: 'The webhook could not be queued; retry later' } });
  }
}

/**
 * The body bytes, or the status to answer: 413 past `limit`, 400 when the client broke off.
 * Past the limit the rest is not read, and the 413 closes the connection (a destroyed request
 * would take the answer with it).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 413 | 400> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(413);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData).pause();
      resolve(413);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks, total)));
    // The client went away mid-body: there is nothing to queue.
    req.on('aborted', () => resolve(400));
    req.on('error', () => resolve(400));
  });
}

/** The address the nearest proxy saw: the last entry of X-Forwarded-For (repeated headers joined). */
function lastForwardedFor(req: IncomingMessage): string | undefined {
  const header = req.headers['x-forwarded-for'];
  const last = (Array.isArray(header) ? header.join(',') : header)?.split(',').at(-1)?.trim();
  return last || undefined;
}

/** Node keeps repeated headers as arrays (set-cookie) or joined; API Gateway passes one string each. */
function flattenHeaders(req: IncomingMessage): Record<string, string> {
  // Entries, not assignment: a header named __proto__ stays a header.
  return Object.fromEntries(
    Object.entries(req.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])),
  );
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', ...(status === 413 ? { connection: 'close' } : {}) }).end(JSON.stringify(body));
}
