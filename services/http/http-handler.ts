import { randomUUID } from 'node:crypto';
import { configure, getCurrentInvoke } from '@vendia/serverless-express';
import type { Context } from 'aws-lambda';
import type Koa from 'koa';
import type { RequestListener } from 'node:http';
import { createLogger, describeError, type Logger } from '../../shared/logger.ts';
import { setOrigin, type IamCaller, type RequestOrigin } from '../../shared/origin.ts';
import { checkHttpEvent, isPayloadV2, type HttpEvent } from './event.ts';

type HttpHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Wraps a Koa app for API Gateway REST (v1), HTTP API payload 1.0 and 2.0 events. The app's
 * callback is built once; the gateway's request id and receive time reach the app as origin.
 * It never throws: an event it cannot serve answers a JSON 400 `invalid_event`, a failure
 * of the adapter itself a JSON 500, both with `x-request-id`.
 */
export function createHttpHandler(app: Koa, logger: Logger = createLogger()): HttpHandler {
  const callback = app.callback();
  // A plain listener: serverless-express calls it as is, where its Koa adapter would build
  // app.callback() again for every request.
  const listener: RequestListener = (request, response) => {
    setOrigin(request, originOf(getCurrentInvoke().event as HttpEvent));
    void callback(request, response);
  };
  // serverless-express logs its own failures with console.error; ours go to the JSON log.
  const quiet = () => undefined;
  const log = { debug: quiet, verbose: quiet, info: quiet, warn: quiet, error: (message: string, error?: unknown) => logger.error(message, describeError(error)) };
  const proxy = configure({ app: listener, respondWithErrors: false, log });

  return async (raw, context) => {
    const checked = checkHttpEvent(raw);
    if ('problems' in checked) {
      const requestId = checked.requestId ?? context.awsRequestId ?? randomUUID();
      logger.warn('invalid event', { requestId, problems: checked.problems });
      return errorAnswer(400, 'invalid_event', `Not an API Gateway proxy event: ${checked.problems.join('; ')}`, requestId);
    }
    try {
      return (await proxy(normalizeEvent(checked.event), context, () => undefined)) as unknown;
    } catch (error) {
      const requestId = originOf(checked.event).requestId ?? context.awsRequestId ?? randomUUID();
      logger.error('request failed', { requestId, ...describeError(error) });
      return errorAnswer(500, 'internal_error', 'Internal server error', requestId);
    }
  };
}

// The fields every payload version reads (REST v1 and HTTP API 1.0 take `headers`, 2.0 too).
function errorAnswer(statusCode: number, code: string, message: string, requestId: string) {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId },
    body: JSON.stringify({ error: { code, message } }),
    isBase64Encoded: false,
  };
}

function originOf(event: HttpEvent): RequestOrigin {
  const rc = event.requestContext as { requestId?: unknown; requestTimeEpoch?: unknown; timeEpoch?: unknown };
  const receivedAt = rc.requestTimeEpoch ?? rc.timeEpoch;
  const iamCaller = iamCallerOf(event);
  return {
    ...(typeof rc.requestId === 'string' ? { requestId: rc.requestId } : {}),
    // A time that is not a number would turn every signature timestamp check into NaN.
    ...(typeof receivedAt === 'number' && Number.isFinite(receivedAt) ? { receivedAt } : {}),
    ...(iamCaller ? { iamCaller } : {}),
  };
}

interface IamFields {
  userArn?: unknown;
  accountId?: unknown;
  user?: unknown;
  userId?: unknown;
}

/**
 * The principal API Gateway verified on an `AWS_IAM` route: REST (and payload 1.0) events carry
 * it in `requestContext.identity`, payload 2.0 in `requestContext.authorizer.iam`. Without IAM
 * authorization these stay null.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
function iamCallerOf(event: HttpEvent): IamCaller | undefined {
  const rc = event.requestContext as { identity?: IamFields | null; authorizer?: { iam?: IamFields | null } | null } | undefined;
  const fields = rc?.authorizer?.iam ?? rc?.identity;
  if (typeof fields?.userArn !== 'string' || !fields.userArn.startsWith('arn:')) return undefined;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const accountId = text(fields.accountId);
  const userId = text(fields.userId) ?? text(fields.user);
  return { userArn: fields.userArn, ...(accountId ? { accountId } : {}), ...(userId ? { userId } : {}) };
}

/**
 * Gives serverless-express the path the app should see:
 * - HTTP API keeps a named stage in the path (`/prod/hello`); the app must see `/hello`.
 * - For REST events serverless-express prefers `pathParameters.proxy`, which drops the
 *   resource prefix (`/api/{proxy+}` would reach the app as `/{proxy}`); `path` is right.
 */
function normalizeEvent(event: HttpEvent): HttpEvent {
  if (isPayloadV2(event)) {
    const path = stripStage(event.rawPath, event.requestContext.stage);
    return path === event.rawPath ? event : ({ ...event, requestPath: path } as HttpEvent);
  }
  const path = (event as { version?: string }).version === '1.0' ? stripStage(event.path, event.requestContext.stage) : event.path;
  return { ...event, path, pathParameters: null };
}

function stripStage(path: string, stage: string | undefined): string {
  if (!stage || stage === '$default') return path;
  const prefix = `/${stage}`;
  if (path === prefix) return '/';
  return path.startsWith(prefix + '/') ? path.slice(prefix.length) : path;
}
