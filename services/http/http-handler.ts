import { configure, getCurrentInvoke } from '@vendia/serverless-express';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type Koa from 'koa';
import type { RequestListener } from 'node:http';
import { setOrigin, type IamCaller, type RequestOrigin } from '../../shared/origin.ts';

type HttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;
type HttpHandler = (event: HttpEvent, context: Context) => Promise<unknown>;

/**
 * Wraps a Koa app for API Gateway REST (v1), HTTP API payload 1.0 and 2.0 events. The app's
 * callback is built once; the gateway's request id and receive time reach the app as origin.
 */
export function createHttpHandler(app: Koa): HttpHandler {
  const callback = app.callback();
  // A plain listener: serverless-express calls it as is, where its Koa adapter would build
  // app.callback() again for every request.
  const listener: RequestListener = (request, response) => {
    setOrigin(request, originOf(getCurrentInvoke().event as HttpEvent));
    void callback(request, response);
  };
  const proxy = configure({ app: listener, respondWithErrors: false });

  return (event, context) => proxy(normalizeEvent(event), context, () => undefined) as Promise<unknown>;
}

function originOf(event: HttpEvent): RequestOrigin {
  const rc = event.requestContext as { requestId?: string; requestTimeEpoch?: number; timeEpoch?: number };
  const iamCaller = iamCallerOf(event);
  return { requestId: rc.requestId, receivedAt: rc.requestTimeEpoch ?? rc.timeEpoch, ...(iamCaller ? { iamCaller } : {}) };
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
  if ('rawPath' in event) {
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
