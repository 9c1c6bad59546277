import { isBase64 } from '../base64.ts';
import { setDataProperty } from '../data-property.ts';
import { isObject } from '../is-object.ts';
import { MessageDecodeError } from './errors.ts';
import type { ReplayRequest } from './replay-request.ts';

/**
 * Our REST API (v1) envelope, version 1: the SQS message body that the request template in
 * infra/ builds with VTL. VTL has no safe JSON escaping (`$util.escapeJavaScript` turns `'`
 * into `\'`), so every string a client controls — path, query keys and values, header names
 * and values, body — is base64 of its UTF-8 (body: of its exact bytes). Gateway-made values
 * (method, ids, times, IP, domain, stage) are plain.
 *
 * ```json
 * {"source":"ApiGatewayV1SQSLambda","envelopeVersion":1,"method":"POST","path":"<b64>",
 *  "query":{"<b64 key>":"<b64 value>"},"headers":{"<b64 name>":"<b64 value>"},"body":"<b64>",
 *  "requestId":"…","requestTime":1764000000000,"sourceIp":"…","domainName":"…","stage":"prod"}
 * ```
 * A query value may also be an array of base64 values (repeated keys). `rawQuery`, base64 of
 * the query string exactly as sent (without `?`), comes only from a gateway that has it (the
 * local one; API Gateway passes decoded pairs only): the replay then uses it as it is.
 */
interface RestEnvelopeV1 {
  source: typeof restEnvelopeSource;
  envelopeVersion: 1;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string;
  requestId: string;
  requestTime: number;
  sourceIp: string;
  domainName: string;
  stage: string;
  rawQuery?: string;
}

export const restEnvelopeSource = 'ApiGatewayV1SQSLambda';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** Builds the envelope exactly as the REST API request template does (local gateway, tests). */
export function encodeRestEnvelope(request: ReplayRequest): string {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of request.query) {
    const name = b64(key);
    const seen = query[name];
    // push, not spread: a query key repeated n times costs n, not n².
    if (seen === undefined) query[name] = b64(value);
    else if (Array.isArray(seen)) seen.push(b64(value));
    else query[name] = [seen, b64(value)];
  }
  const envelope: RestEnvelopeV1 = {
    source: restEnvelopeSource,
    envelopeVersion: 1,
    method: request.method,
    path: b64(request.path),
    query,
    headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [b64(name), b64(value)])),
    body: request.body.toString('base64'),
    requestId: request.requestId ?? '',
    requestTime: request.receivedAt ?? 0,
    sourceIp: request.sourceIp ?? '',
    domainName: request.domainName ?? '',
    stage: request.stage ?? '',
    ...(request.rawQuery === undefined ? {} : { rawQuery: b64(request.rawQuery) }),
  };
  return JSON.stringify(envelope);
}

export function isRestEnvelope(value: Record<string, unknown>): boolean {
  return value.source === restEnvelopeSource && 'envelopeVersion' in value;
}

/** Decodes a parsed envelope; every problem found is listed in one `MessageDecodeError`. */
export function decodeRestEnvelope(value: Record<string, unknown>): ReplayRequest {
  const problems: string[] = [];
  if (value.envelopeVersion !== 1) problems.push(`envelopeVersion must be 1 (got ${JSON.stringify(value.envelopeVersion)})`);
  const method = requireString(value, 'method', problems);
  if (method && !/^[A-Z]{1,16}$/.test(method)) problems.push(`method must be an HTTP method token (got ${JSON.stringify(method)})`);
  const path = decodeText(requireString(value, 'path', problems), 'path', problems);
  if (path !== undefined && !path.startsWith('/')) problems.push('path must start with "/"');
  const query = decodeQuery(value.query, problems);
  const rawQuery = value.rawQuery === undefined ? undefined : decodeText(requireString(value, 'rawQuery', problems, true), 'rawQuery', problems);
  // What Node's HTTP parser lets through in a query: printable ASCII, and no fragment.
  if (rawQuery !== undefined && !/^[\x21-\x22\x24-\x7e]*$/.test(rawQuery)) problems.push('rawQuery must be printable ASCII without "#"');
  const headers = decodeHeaders(value.headers, problems);
  const body = decodeBase64(requireString(value, 'body', problems, true), 'body', problems);
  const requestTime = value.requestTime;
  if (typeof requestTime !== 'number' || !Number.isFinite(requestTime)) problems.push('requestTime must be epoch milliseconds');
  if (problems.length > 0) throw new MessageDecodeError('rest-envelope-v1', problems);

  // Optional fields assigned, not spread in: this runs for every record.
  const request: ReplayRequest = { method: method!, path: path!, query, headers, body: body!, receivedAt: requestTime as number };
  if (rawQuery !== undefined) request.rawQuery = rawQuery;
  for (const field of optionalFields) {
    const v = value[field];
    if (typeof v === 'string' && v !== '') request[field] = v;
  }
  return request;
}

const optionalFields = ['requestId', 'sourceIp', 'domainName', 'stage'] as const;

function requireString(value: Record<string, unknown>, field: string, problems: string[], allowEmpty = false): string | undefined {
  const v = value[field];
  if (typeof v !== 'string' || (!allowEmpty && v === '')) {
    problems.push(`${field} must be a ${allowEmpty ? '' : 'non-empty '}string`);
    return undefined;
  }
  return v;
}

function decodeBase64(text: string | undefined, field: string, problems: string[]): Buffer | undefined {
  return checkBase64(text, field, problems) ? Buffer.from(text, 'base64') : undefined;
}

function checkBase64(text: string | undefined, field: string, problems: string[]): text is string {
  if (text === undefined) return false;
  if (isBase64(text)) return true;
  problems.push(`${field} is not valid base64`);
  return false;
}

const nonAscii = /[\x80-\xff]/;

function decodeText(text: string | undefined, field: string, problems: string[]): string | undefined {
  if (!checkBase64(text, field, problems)) return undefined;
  // ASCII text (nearly every path, header and query) is its bytes as atob gives them, with no
  // Buffer (a dozen per record) to allocate and no UTF-8 to check.
  const binary = atob(text);
  if (!nonAscii.test(binary)) return binary;
  const bytes = Buffer.from(text, 'base64');
  const decoded = bytes.toString('utf8');
  if (decoded.includes('\uFFFD') && !Buffer.from(decoded, 'utf8').equals(bytes)) {
    problems.push(`${field} is not valid UTF-8`);
    return undefined;
  }
  return decoded;
}

// Header names are HTTP tokens; values may not carry CR, LF or NUL (request smuggling).
export const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const unsafeHeaderValue = /[\r\n\0]/;

// setDataProperty: a header named `__proto__` stays a header.
function decodeHeaders(raw: unknown, problems: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!isObject(raw)) {
    problems.push('headers must be an object');
    return headers;
  }
  for (const [encodedName, encodedValue] of Object.entries(raw)) {
    const name = decodeText(encodedName, 'header name', problems);
    const value = typeof encodedValue === 'string' ? decodeText(encodedValue, `header ${name ?? '?'}`, problems) : undefined;
    if (typeof encodedValue !== 'string') problems.push(`header ${name ?? '?'} must be a string`);
    if (name === undefined || value === undefined) continue;
    if (!headerName.test(name)) problems.push(`header name ${JSON.stringify(name)} is not a valid HTTP token`);
    else if (unsafeHeaderValue.test(value)) problems.push(`header ${name} contains CR, LF or NUL`);
    else setDataProperty(headers, name.toLowerCase(), value);
  }
  return headers;
}

function decodeQuery(raw: unknown, problems: string[]): [string, string][] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push('query must be an object');
    return [];
  }
  const pairs: [string, string][] = [];
  for (const [encodedKey, encodedValues] of Object.entries(raw)) {
    const key = decodeText(encodedKey, 'query key', problems);
    const values = Array.isArray(encodedValues) ? (encodedValues as unknown[]) : [encodedValues];
    for (const encoded of values) {
      const v = typeof encoded === 'string' ? decodeText(encoded, `query ${key ?? '?'}`, problems) : undefined;
      if (typeof encoded !== 'string') problems.push(`query ${key ?? '?'} values must be strings`);
      if (key !== undefined && v !== undefined) pairs.push([key, v]);
    }
  }
  return pairs;
}
