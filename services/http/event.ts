import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { isBase64 } from '../../shared/base64.ts';
import { isObject } from '../../shared/is-object.ts';

export type HttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

/** HTTP API payload 2.0, told apart by its version as serverless-express tells it apart. */
export const isPayloadV2 = (event: HttpEvent): event is APIGatewayProxyEventV2 => (event as { version?: unknown }).version === '2.0';

/** An event the function can serve, or what is wrong with it and the request id it carried, if any. */
type CheckedEvent = { event: HttpEvent } | { problems: string[]; requestId?: string };

const method = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,16}$/;
const requestIdToken = /^[\w.:=+/-]{1,128}$/;

const isStringMap = (value: unknown, item: (v: unknown) => boolean) => isObject(value) && Object.values(value).every(item);
const isString = (value: unknown) => typeof value === 'string';
const isStringList = (value: unknown) => Array.isArray(value) && value.every(isString);

/**
 * Checks an API Gateway proxy event (REST v1, HTTP API payload 1.0 and 2.0) before
 * serverless-express reads it: that library throws, or answers an empty 500, for `{}`, `null`,
 * a v2 event without `requestContext.http`, a body that is not a string, and it takes invalid
 * base64 as an empty body. API Gateway never sends these, but the function must not depend on
 * that (a test invocation, another trigger, a hand-made event). `headers: null` is served as
 * no headers. Every problem is named, never a value.
 */
export function checkHttpEvent(raw: unknown): CheckedEvent {
  if (!isObject(raw)) return { problems: ['the event must be a JSON object'] };
  const problems: string[] = [];
  const context = raw.requestContext;
  const requestId = isObject(context) && typeof context.requestId === 'string' && requestIdToken.test(context.requestId) ? context.requestId : undefined;
  if (!isObject(context)) problems.push('requestContext must be an object');
  // serverless-express picks the event source from these fields; only API Gateway's may reach it.
  if ('Records' in raw || 'eventSource' in raw || (isObject(context) && ('elb' in context || 'serviceNetworkArn' in context))) {
    problems.push('the event comes from another source than API Gateway');
  }
  let event = raw;
  // As serverless-express tells them apart: payload 2.0 by its version, everything else as v1.
  if (raw.version === '2.0') {
    const http = isObject(context) ? context.http : undefined;
    if (!isObject(http) || typeof http.method !== 'string' || !method.test(http.method)) problems.push('requestContext.http.method must be an HTTP method');
    if (typeof raw.rawPath !== 'string' || !raw.rawPath.startsWith('/')) problems.push('rawPath must be a path starting with "/"');
    if (raw.rawQueryString !== undefined && typeof raw.rawQueryString !== 'string') problems.push('rawQueryString must be a string');
    if (raw.cookies !== undefined && !isStringList(raw.cookies)) problems.push('cookies must be a list of strings');
    if (raw.headers === null || raw.headers === undefined) event = { ...raw, headers: {} };
    else if (!isStringMap(raw.headers, isString)) problems.push('headers must map names to strings');
  } else {
    if (typeof raw.httpMethod !== 'string' || !method.test(raw.httpMethod)) problems.push('httpMethod must be an HTTP method');
    if (typeof raw.path !== 'string' || !raw.path.startsWith('/')) problems.push('path must be a path starting with "/"');
    for (const [field, item] of [['headers', isString], ['multiValueHeaders', isStringList], ['queryStringParameters', isString], ['multiValueQueryStringParameters', isStringList]] as const) {
      if (raw[field] !== null && raw[field] !== undefined && !isStringMap(raw[field], item)) problems.push(`${field} must map names to ${item === isString ? 'strings' : 'lists of strings'}`);
    }
  }
  if (raw.body !== null && raw.body !== undefined && typeof raw.body !== 'string') problems.push('body must be a string');
  else if (raw.isBase64Encoded === true && typeof raw.body === 'string' && !isBase64(raw.body)) problems.push('body must be base64, as isBase64Encoded says');
  if (problems.length > 0) return { problems, ...(requestId ? { requestId } : {}) };
  return { event: event as unknown as HttpEvent };
}
