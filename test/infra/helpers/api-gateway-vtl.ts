import { Compile, parse } from 'velocityjs';

/** What a REST API (v1) mapping template can see of a request. */
export interface GatewayRequest {
  method: string;
  /** Path without the stage, e.g. `/webhook/stripe`. */
  path: string;
  query: [string, string][];
  /** As the client sent them (original case). */
  headers: Record<string, string>;
  body: Buffer;
  requestId: string;
  /** Epoch milliseconds. */
  requestTime: number;
  sourceIp: string;
  domainName: string;
  stage: string;
}

/**
 * Renders a REST API mapping template as API Gateway would, with velocityjs and the variables
 * of https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html.
 *
 * Modelled, not known: a repeated query key or header gives its last value (the template sees
 * one value per name). `$input.body` is base64 of the exact bytes with `bodyAsBase64` (a binary
 * media type and ContentHandling CONVERT_TO_TEXT), else the body decoded as UTF-8. `$input.path` /
 * `$input.json` read that payload as JSON. On a payload that is not a JSON object they throw
 * `TransformFailure`: the reference says only that a payload API Gateway cannot parse "may" get a
 * 400, so the model takes the worst case and a template that looks into such a body fails here.
 */
export function renderRestTemplate(
  template: string,
  request: GatewayRequest,
  resourcePath: '/webhook' | '/webhook/{proxy+}',
  options: { bodyAsBase64?: boolean } = {},
): string {
  const proxy = resourcePath === '/webhook/{proxy+}' ? request.path.replace(/^\/webhook\//, '') : undefined;
  const params = {
    path: javaMap(proxy === undefined ? [] : [['proxy', proxy]]),
    querystring: javaMap(request.query),
    header: javaMap(Object.entries(request.headers)),
  };
  const body = request.body.toString(options.bodyAsBase64 ? 'base64' : 'utf8');
  const parsed = () => parseJsonObject(body);
  const input = {
    body,
    params: (name?: string) => (name === undefined ? params : params.path.get(name) ?? params.querystring.get(name) ?? params.header.get(name) ?? ''),
    path: (jsonPath: string) => selectJsonPath(parsed(), jsonPath),
    json: (jsonPath: string) => JSON.stringify(selectJsonPath(parsed(), jsonPath)) ?? '',
  };
  const context = {
    requestId: request.requestId,
    requestTimeEpoch: request.requestTime,
    httpMethod: request.method,
    stage: request.stage,
    domainName: request.domainName,
    resourcePath,
    path: `/${request.stage}${request.path}`,
    identity: { sourceIp: request.sourceIp },
  };
  return renderVtl(template, { input, context, util: apiGatewayUtil });
}

/**
 * A Java map as a template sees `$input.params()`'s maps: `get` and `keySet`. A plain object
 * would not do: velocityjs refuses a key named `__proto__`, which a client may send.
 */
function javaMap(entries: Iterable<readonly [string, string]>): { get(key: string): string | undefined; keySet(): string[] } {
  const map = new Map(entries);
  return { get: (key) => map.get(key), keySet: () => [...map.keys()] };
}

/** Renders an integration response template against a backend JSON answer. */
export function renderResponseTemplate(template: string, backendJson: unknown, context: Record<string, unknown> = {}): string {
  return renderIntegrationResponse(template, JSON.stringify(backendJson), context).body;
}

/**
 * Renders an integration response template against the backend's answer as text, and returns
 * the status a `#set($context.responseOverride.status = …)` chose, if any.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
 */
export function renderIntegrationResponse(template: string, backendBody: string, context: Record<string, unknown> = {}): { body: string; status?: number } {
  const input = {
    body: backendBody,
    path: (jsonPath: string) => selectJsonPath(parseJsonObject(backendBody), jsonPath),
    json: (jsonPath: string) => JSON.stringify(selectJsonPath(parseJsonObject(backendBody), jsonPath)),
  };
  const responseOverride: { status?: number } = {};
  const body = renderVtl(template, { input, context: { ...context, responseOverride }, util: apiGatewayUtil });
  return { body, ...(responseOverride.status === undefined ? {} : { status: Number(responseOverride.status) }) };
}

/** `$util` as API Gateway defines it; `urlEncode` is Java's URLEncoder (space becomes `+`). */
export const apiGatewayUtil = {
  urlEncode: (text: string): string =>
    encodeURIComponent(text)
      .replace(/%20/g, '+')
      .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  urlDecode: (text: string): string => decodeURIComponent(text.replace(/\+/g, ' ')),
  base64Encode: (text: string): string => Buffer.from(text, 'utf8').toString('base64'),
  base64Decode: (text: string): string => Buffer.from(text, 'base64').toString('utf8'),
  // Apache Commons escapeJavaScript, as API Gateway documents it: ' becomes \', which JSON refuses.
  escapeJavaScript: (text: string): string =>
    text
      .split('')
      .map((c) => {
        const named: Record<string, string> = { '"': '\\"', "'": "\\'", '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
        const code = c.charCodeAt(0);
        return named[c] ?? (code < 0x20 || code > 0x7e ? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}` : c);
      })
      .join(''),
};

// Template strings are Java strings (java.lang.String's Javadoc): length() is a method;
// replaceAll, matches and split take a regex, applied per code point as java.util.regex does;
// matches() must match the whole string, split() drops trailing empty strings, and hashCode() is
// s[0]·31^(n−1) + … + s[n−1] in 32-bit int arithmetic.
const javaMethod = (name: string, resolve: (context: string, params: unknown[]) => unknown) => ({
  uid: `java: String.${name}`,
  match: ({ property, context }: { property: string; context: unknown }) => typeof context === 'string' && property === name,
  resolve: ({ context, params }: { context: string; params: unknown[] }) => resolve(context, params),
});
const javaStringMethods = [
  javaMethod('matches', (context, [regex]) => new RegExp(`^(?:${String(regex)})$`, 'u').test(context)),
  javaMethod('split', (context, [regex]) => {
    const parts = context.split(new RegExp(String(regex), 'u'));
    while (parts.length > 1 && parts.at(-1) === '') parts.pop();
    return parts;
  }),
  javaMethod('hashCode', (context) => {
    let hash = 0n;
    for (let i = 0; i < context.length; i++) hash = BigInt.asIntN(32, hash * 31n + BigInt(context.charCodeAt(i)));
    return Number(hash);
  }),
  javaMethod('length', (context) => context.length),
  javaMethod('contains', (context, [text]) => context.includes(String(text))),
  javaMethod('replaceAll', (context, [regex, replacement]) => context.replace(new RegExp(String(regex), 'gu'), String(replacement))),
];

function renderVtl(template: string, variables: Record<string, unknown>): string {
  // env "development" makes a call to a method the context lacks throw instead of rendering
  // quietly, so a template using something this model does not provide fails loudly.
  const compiled = new Compile(parse(template), { env: 'development', customMethodHandlers: javaStringMethods });
  return compiled.render(variables);
}

/**
 * What API Gateway answers when a mapping template cannot be applied ("Execution failed due to
 * configuration error: Unable to transform request" in its execution log, or the 400 the
 * mapping template reference warns of): nothing is sent to the integration.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */
export class TransformFailure extends Error {}

/** The payload as a JSON path sees it; anything but a JSON object fails the transformation. */
function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new TransformFailure(`Unable to transform request: the payload is not JSON (${JSON.stringify(text.slice(0, 40))})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TransformFailure('Unable to transform request: the payload is not a JSON object');
  return value as Record<string, unknown>;
}

/** `$.a.b.c` paths only, through objects' own fields: what the templates use. */
function selectJsonPath(value: unknown, jsonPath: string): unknown {
  if (!/^\$(\.[A-Za-z0-9_]+)*$/.test(jsonPath)) throw new Error(`Unsupported JSONPath ${jsonPath}`);
  return jsonPath
    .split('.')
    .slice(1)
    .reduce<unknown>((current, key) => (typeof current === 'object' && current !== null && !Array.isArray(current) && Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined), value);
}
