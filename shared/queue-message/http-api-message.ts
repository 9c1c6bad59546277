import { headerName } from './envelope.ts';

/**
 * Our HTTP API (v2) message, version 2: what the `SQS-SendMessage` integrations in
 * infra/service.yaml map. HTTP API mappings escape nothing, so a client-controlled value may only
 * go where no escaping is needed: the message body, framed by lines, since a header value holds
 * no CR or LF (RFC 9110, section 5.5). The constant first line keeps the body from ever being
 * empty (SQS refuses an empty body); a header the request lacks leaves an empty line value
 * rather than the empty attribute value SQS refuses.
 *
 * ```
 * HttpApiV2SQSLambda 2
 * /webhook/stripe                    ← $request.path
 * content-type: application/json    ← one line per header the route maps, possibly empty
 * stripe-signature: t=…,v1=…
 *                                    ← an empty line
 * {"id":"evt_1",…}                   ← $request.body, as text, to the end
 * ```
 * Gateway-made values (method, request id and time, source IP) travel as message attributes,
 * with `source` = `HttpApiV2SQSLambda` and `envelopeVersion` = `2`.
 */
export const httpApiSource = 'HttpApiV2SQSLambda';
export const httpApiMessageVersion = '2';
const firstLine = `${httpApiSource} ${httpApiMessageVersion}`;

interface HttpApiFrame {
  path: string;
  /** Lower-case names; a header mapped but not sent is absent. */
  headers: Record<string, string>;
  body: string;
}

/** Builds the message body the HTTP API integrations map, for `headerNames` (local use and tests). */
export function encodeHttpApiFrame(path: string, headerNames: readonly string[], headers: Record<string, string>, body: string): string {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return [firstLine, path, ...headerNames.map((name) => `${name}: ${lower[name] ?? ''}`), '', body].join('\n');
}

/** Reads a framed message body; every problem found is listed, the frame is never guessed at. */
export function decodeHttpApiFrame(text: string, problems: string[]): HttpApiFrame | undefined {
  // The head ends at the first empty line; the body is everything after it, newlines included.
  const end = text.indexOf('\n\n');
  if (end < 0) {
    problems.push('the message body has no empty line ending its head');
    return undefined;
  }
  const [first, path = '', ...lines] = text.slice(0, end).split('\n');
  if (first !== firstLine) problems.push(`the first line must be "${firstLine}"`);
  if (!path.startsWith('/')) problems.push('the path line must start with "/"');
  const headers: [string, string][] = [];
  for (const line of lines) {
    // A header name holds no colon; the one space after it may be gone if the value is empty.
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).toLowerCase();
    if (!headerName.test(name)) {
      problems.push(`a head line is not "<header>: <value>" (${JSON.stringify(line.slice(0, 40))})`);
      continue;
    }
    const value = line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
    if (value.includes('\0') || value.includes('\r')) problems.push(`header ${name} contains CR or NUL`);
    else if (value !== '') headers.push([name, value]);
  }
  return { path, headers: Object.fromEntries(headers), body: text.slice(end + 2) };
}
