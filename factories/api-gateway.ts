// Fixture factories for API Gateway Lambda proxy events, shaped after AWS's published samples
// (REST v1 proxy event; HTTP API payload 1.0 and 2.0).
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

export interface RequestSpec {
  method?: string;
  path?: string;
  /** Repeated keys allowed: `[['a','1'],['a','2']]`. */
  query?: [string, string][];
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Send the body base64-encoded, as API Gateway does for binary media types. */
  base64?: boolean;
  stage?: string;
  sourceIp?: string;
  requestId?: string;
  cookies?: string[];
  /** The IAM principal API Gateway verified (a route with AWS_IAM authorization). */
  iam?: { userArn: string; accountId: string; userId: string };
}

function encodeBody(spec: RequestSpec): { body: string | null; isBase64Encoded: boolean } {
  if (spec.body === undefined) return { body: null, isBase64Encoded: false };
  const isBase64Encoded = spec.base64 ?? Buffer.isBuffer(spec.body);
  const bytes = Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body, 'utf8');
  return { body: isBase64Encoded ? bytes.toString('base64') : bytes.toString('utf8'), isBase64Encoded };
}

function groupQuery(query: [string, string][] = []): Record<string, string[]> | null {
  if (query.length === 0) return null;
  const grouped: Record<string, string[]> = {};
  for (const [key, value] of query) (grouped[key] ??= []).push(value);
  return grouped;
}

function lastValues(multi: Record<string, string[]> | null): Record<string, string> | null {
  if (!multi) return null;
  return Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1] ?? '']));
}

/** A REST API (v1) proxy event. `path` excludes the stage, as AWS sends it. */
export function makeApiGatewayV1Event(spec: RequestSpec = {}): APIGatewayProxyEvent {
  const method = spec.method ?? 'GET';
  const path = spec.path ?? '/';
  const multiHeaders: Record<string, string[]> = { Host: ['abc123.execute-api.eu-west-1.amazonaws.com'] };
  for (const [k, v] of Object.entries(spec.headers ?? {})) multiHeaders[k] = Array.isArray(v) ? v : [v];
  if (spec.cookies) multiHeaders.Cookie = [spec.cookies.join('; ')];
  const multiQuery = groupQuery(spec.query);
  const stage = spec.stage ?? 'prod';
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: lastValues(multiHeaders) ?? {},
    multiValueHeaders: multiHeaders,
    queryStringParameters: lastValues(multiQuery),
    multiValueQueryStringParameters: multiQuery,
    pathParameters: { proxy: path.replace(/^\//, '') },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        sourceIp: spec.sourceIp ?? '203.0.113.7',
        userAgent: 'test',
        ...(spec.iam ? { userArn: spec.iam.userArn, accountId: spec.iam.accountId, user: spec.iam.userId, caller: spec.iam.userId, accessKey: 'ASIAEXAMPLE' } : { userArn: null, accountId: null, user: null, caller: null }),
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/${stage}${path}`,
      stage,
      requestId: spec.requestId ?? 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1_764_000_000_000,
      resourceId: 'x1y2z3',
      resourcePath: '/{proxy+}',
    },
    ...encodeBody(spec),
  };
}

/** An HTTP API payload 2.0 event. A named stage stays in `rawPath`, as AWS sends it. */
export function makeApiGatewayV2Event(spec: RequestSpec = {}): APIGatewayProxyEventV2 {
  const method = spec.method ?? 'GET';
  const stage = spec.stage ?? '$default';
  const rawPath = stage === '$default' ? (spec.path ?? '/') : `/${stage}${spec.path ?? '/'}`;
  const headers: Record<string, string> = { host: 'abc123.execute-api.eu-west-1.amazonaws.com' };
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const rawQueryString = new URLSearchParams(spec.query ?? []).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    ...(spec.cookies ? { cookies: spec.cookies } : {}),
    headers,
    queryStringParameters: lastValues(groupQuery(spec.query)) ?? undefined,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: spec.sourceIp ?? '203.0.113.7', userAgent: 'test' },
      requestId: spec.requestId ?? 'JKJaXmPLvHcESHA=',
      routeKey: '$default',
      stage,
      time: '24/Nov/2025:16:00:00 +0000',
      timeEpoch: 1_764_000_000_000,
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
      ...(spec.iam
        ? { authorizer: { iam: { accessKey: 'ASIAEXAMPLE', accountId: spec.iam.accountId, callerId: spec.iam.userId, cognitoIdentity: null, principalOrgId: null, userArn: spec.iam.userArn, userId: spec.iam.userId } } }
        : {}),
    },
    ...(encodeBody(spec) as { body?: string; isBase64Encoded: boolean }),
  };
}

/** An HTTP API payload 1.0 event: the v1 shape with `version: "1.0"`; `path` keeps a named stage. */
export function makeHttpApiV1Event(spec: RequestSpec = {}): APIGatewayProxyEvent {
  const stage = spec.stage ?? '$default';
  const event = makeApiGatewayV1Event({ ...spec, stage });
  const path = stage === '$default' ? event.path : `/${stage}${event.path}`;
  return { ...event, version: '1.0', path, resource: '$default', pathParameters: null } as APIGatewayProxyEvent;
}
