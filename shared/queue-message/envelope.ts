import { isBase64 } from '../base64.ts';
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

  return {
    method: method!,
    path: path!,
    query,
    headers,
    body: body!,
    receivedAt: requestTime as number,
    ...(rawQuery === undefined ? {} : { rawQuery }),
    ...optionalStrings(value, ['requestId', 'sourceIp', 'domainName', 'stage']),
  };
}

function requireString(value: Record<string, unknown>, field: string, problems: string[], allowEmpty = false): string | undefined {
  const v = value[field];
  if (typeof v !== 'string' || (!allowEmpty && v === '')) {
    problems.push(`${field} must be a ${allowEmpty ? '' : 'non-empty '}string`);
    return undefined;
  }
  return v;
}

function decodeBase64(text: string | undefined, field: string, problems: string[]): Buffer | undefined {
  if (text === undefined) return undefined;
  if (!isBase64(text)) {
    problems.push(`${field} is not valid base64`);
    return undefined;
  }
  return Buffer.from(text, 'base64');
}

function decodeText(text: string | undefined, field: string, problems: string[]): string | undefined {
  const bytes = decodeBase64(text, field, problems);
  if (bytes === undefined) return undefined;
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

// Headers are collected as entries: `Object.fromEntries` keeps a header named `__proto__` as
// a header, where an assignment would hit the prototype setter.
function decodeHeaders(raw: unknown, problems: string[]): Record<string, string> {
  const headers: [string, string][] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push('headers must be an object');
    return {};
  }
  for (const [encodedName, encodedValue] of Object.entries(raw)) {
    const name = decodeText(encodedName, 'header name', problems);
    const value = typeof encodedValue === 'string' ? decodeText(encodedValue, `header ${name ?? '?'}`, problems) : undefined;
    if (typeof encodedValue !== 'string') problems.push(`header ${name ?? '?'} must be a string`);
    if (name === undefined || value === undefined) continue;
    if (!headerName.test(name)) problems.push(`header name ${JSON.stringify(name)} is not a valid HTTP token`);
    else if (unsafeHeaderValue.test(value)) problems.push(`header ${name} contains CR, LF or NUL`);
    else headers.push([name.toLowerCase(), value]);
  }
  return Object.fromEntries(headers);
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

function optionalStrings<K extends string>(value: Record<string, unknown>, fields: K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const field of fields) {
    const v = value[field];
    if (typeof v === 'string' && v !== '') out[field] = v;
  }
  return out;
}
