import { setDataProperty } from '../data-property.ts';
import { headerName } from './envelope.ts';
import { MessageDecodeError } from './errors.ts';
import type { ReplayRequest } from './replay-request.ts';

/**
 * Our HTTP API (v2) message, version 2: the message body the `SQS-SendMessage` integrations in
 * infra/service.yaml map, and nothing else (no message attributes: API Gateway has refused a
 * static `MessageAttributes` mapping at create time, hashicorp/terraform-provider-aws#17348).
 * HTTP API mappings escape nothing, so every value is a line of its own: a header value holds no
 * CR or LF (RFC 9110, section 5.5), and gateway-made values hold none either. The constant first
 * line keeps the body from ever being empty (SQS refuses an empty body) and names the shape.
 *
 * ```
 * HttpApiV2SQSLambda 2
 * POST                               ← $context.httpMethod
 * JKJaXmPLvHcESHA=                   ← $context.requestId
 * 1764000000                         ← $context.requestTimeEpoch (seconds on HTTP APIs)
 * 203.0.113.7                        ← $context.identity.sourceIp
 * content-type: application/json    ← one line per header the route maps, possibly empty
 * stripe-signature: t=…,v1=…
 * /webhook/stripe                    ← $request.path, the last line of the head
 *                                    ← an empty line
 * {"id":"evt_1",…}                   ← $request.body, as text, to the end
 * ```
 * The first five lines are read by position, so an empty gateway value cannot end the head early.
 * The path comes last because it is the one value that may hold a line break: HTTP APIs hand a
 * Lambda integration the path percent-decoded (https://github.com/honojs/hono/issues/2156) and
 * `$request.path` may be too, so a client's `%0A` on `POST /webhook/{proxy+}` may split it. Last, it cannot shift a gateway value or
 * pass for a header; a head whose last line is not a path is refused (the message is parked).
 */
export const httpApiSource = 'HttpApiV2SQSLambda';
const firstLine = `${httpApiSource} 2`;
// Lines 2 to 5: the values API Gateway makes, read by position.
const gatewayLines = 4;

/** The values an HTTP API integration maps into a message body, as API Gateway renders them. */
export interface HttpApiFrameValues {
  method: string;
  requestId: string;
  /** `$context.requestTimeEpoch`: epoch seconds on HTTP APIs (milliseconds are read too). */
  requestTimeEpoch: string;
  sourceIp: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Whether a message body claims to be an HTTP API frame: it starts with the shape's name. */
export function isHttpApiFrame(body: unknown): body is string {
  return typeof body === 'string' && body.startsWith(httpApiSource);
}

/** Builds the message body the HTTP API integrations map, for `headerNames` (tests and the cost model). */
export function encodeHttpApiFrame(values: HttpApiFrameValues, headerNames: readonly string[]): string {
  const lower = Object.fromEntries(Object.entries(values.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const head = [firstLine, values.method, values.requestId, values.requestTimeEpoch, values.sourceIp];
  return [...head, ...headerNames.map((name) => `${name}: ${lower[name] ?? ''}`), values.path, '', values.body].join('\n');
}

/**
 * Turns a framed message body back into the request API Gateway received. Throws
 * `MessageDecodeError` listing every problem; the frame is never guessed at.
 */
export function decodeHttpApiFrame(text: string): ReplayRequest {
  const problems: string[] = [];
  // The fixed lines by position, then header lines and the path up to the first empty line; the
  // body is everything after it, newlines included. Each search starts where the last ended: linear.
  const lines: string[] = [];
  let at = 0;
  for (let i = 0; i <= gatewayLines; i++) {
    const end = text.indexOf('\n', at);
    if (end < 0) break;
    lines.push(text.slice(at, end));
    at = end + 1;
  }
  const end = text[at] === '\n' ? at - 1 : text.indexOf('\n\n', at);
  if (lines.length <= gatewayLines || end < 0) throw new MessageDecodeError('http-api-v2-framed', ['the message body has no empty line ending its head']);

  const [first, method = '', requestId = '', requestTimeEpoch = '', sourceIp = ''] = lines;
  if (first !== firstLine) problems.push(`the first line must be "${firstLine}"`);
  if (!/^[A-Z]{1,16}$/.test(method)) problems.push('the method line must be an HTTP method token');
  if (!/^[!-~]*$/.test(requestId)) problems.push('the request id line must be printable ASCII');
  const receivedAt = toEpochMs(Number(requestTimeEpoch));
  if (!/^\d{1,16}$/.test(requestTimeEpoch) || receivedAt <= 0) problems.push('the request time line must be epoch seconds or milliseconds');
  if (!/^[!-~]*$/.test(sourceIp)) problems.push('the source IP line must be printable ASCII');
  const rest = at > end ? [] : text.slice(at, end).split('\n');
  // A path split by a line break leaves its first part among the header lines (a path is never
  // a header line) and no path last, so it is refused, never read as headers.
  const path = rest.pop() ?? '';
  if (!path.startsWith('/')) problems.push('the path line (the last of the head) must start with "/"');
  const headers = readHeaders(rest, problems);
  if (problems.length > 0) throw new MessageDecodeError('http-api-v2-framed', problems);

  return {
    method,
    path,
    query: [],
    headers,
    body: Buffer.from(text.slice(end + 2), 'utf8'),
    receivedAt,
    ...(sourceIp ? { sourceIp } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

// setDataProperty: a header named `__proto__` stays a header.
// A route maps each header once, so a name seen twice means a value held a line break (which
// RFC 9110, section 5.5, has API Gateway refuse or replace, but only AWS can confirm it does):
// refused, so such a line can never override a mapped header.
function readHeaders(lines: readonly string[], problems: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const line of lines) {
    // A header name holds no colon; the one space after it may be gone if the value is empty.
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).toLowerCase();
    if (!headerName.test(name)) {
      problems.push(`a head line is not "<header>: <value>" (${JSON.stringify(line.slice(0, 40))})`);
      continue;
    }
    if (seen.has(name)) problems.push(`header ${name} has more than one line`);
    seen.add(name);
    const value = line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
    if (value.includes('\0') || value.includes('\r')) problems.push(`header ${name} contains CR or NUL`);
    else if (value !== '') setDataProperty(headers, name, value);
  }
  return headers;
}

/**
 * HTTP API renders `$context.requestTimeEpoch` in seconds where REST APIs use milliseconds
 * (https://repost.aws/questions/QU-c6qpG7PTvuN3Y-JCzFWhw); below 10^11 it cannot be milliseconds (1973).
 */
export function toEpochMs(value: number): number {
  return value > 0 && value < 1e11 ? value * 1000 : value;
}
