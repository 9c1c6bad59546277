import { isObject } from '../is-object.ts';

/**
 * Where in a request the entity a webhook is about lives, so that its SQS message group can be
 * that entity: the order that matters is the order of events about one object, and a group
 * that fails holds up only that object. The REST API's request template reads the same sources
 * with the same rules (infra/service.yaml; test/infra checks they agree on real payloads).
 */
type KeySource =
  /** A request header (lower case). */
  | { header: string }
  /**
   * A JSON string at `$.a.b` of a JSON object body; a number, object or null does not count. Read
   * only when the request says it is JSON and its body starts with `{` (see jsonObjectText).
   */
  | { json: string }
  /** A field of a url-encoded form body, as sent: it counts when it is 1–64 letters and digits. */
  | { form: string };

/** One part of a key: the value of the first of its sources that has one. */
export type KeyPart = readonly KeySource[];

/** What a key is read from. */
export interface KeyedRequest {
  /** Lower-case names. */
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

const formValue = /^[A-Za-z0-9]{1,64}$/;
const jsonPath = /^\$(\.[A-Za-z0-9_]+)+$/;
// application/json or application/<anything>+json (RFC 6839), parameters allowed, compared in
// lower case: the template's $jsonType test, character for character.
const jsonMediaType = /^[ \t]*application\/([a-z0-9.-]+[+])?json[ \t]*(;[^\r\n]*)?$/;

/**
 * The value of each part that has one, in order. A number is not an id here: JavaScript would
 * round one past 2^53 where the template's Java keeps every digit, and the two must agree.
 */
export function orderingKeyValues(parts: readonly KeyPart[], request: KeyedRequest): string[] {
  let text: string | undefined;
  let json: unknown;
  const bodyText = () => (text ??= request.body.toString('utf8'));
  const bodyJson = () => (json ??= isJsonObjectText(request.headers['content-type'], bodyText()) ? parseObject(bodyText()) : undefined);
  const read = (source: KeySource): string | undefined => {
    if ('header' in source) return request.headers[source.header] || undefined;
    if ('json' in source) return stringAt(bodyJson(), source.json);
    return formField(bodyText(), source.form);
  };
  return parts.flatMap((part) => {
    for (const source of part) {
      const value = read(source);
      if (value !== undefined) return [value];
    }
    return [];
  });
}

/** Throws on a path the template's JSONPath and this reader would not read alike: `$.name.name…` only. */
export function checkJsonPath(path: string): string {
  if (!jsonPath.test(path)) throw new Error(`Unsupported ordering-key JSON path ${path}: use $.name.name… with letters, digits and _`);
  return path;
}

/**
 * Whether a JSON source may be read at all: the content type is JSON and the body's first
 * character past JSON whitespace is `{`. API Gateway documents that evaluating a JSON path on a
 * payload it cannot parse may fail the request (400) instead of finding nothing, so the REST
 * template looks into a body only when both say it is a JSON object: a GitHub form delivery, a
 * Shopify XML one or a text body that happens to start with `{` is keyed without it, never
 * refused. https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */
function isJsonObjectText(contentType: string | undefined, text: string): boolean {
  if (!jsonMediaType.test((contentType ?? '').toLowerCase())) return false;
  const brace = text.indexOf('{');
  return brace >= 0 && /^[ \t\r\n]*$/.test(text.slice(0, brace));
}

function parseObject(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function stringAt(root: unknown, path: string): string | undefined {
  let value = root;
  for (const name of path.split('.').slice(1)) {
    if (!isObject(value) || !Object.hasOwn(value, name)) return undefined;
    value = value[name];
  }
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The first `name=value` pair whose value, as sent, is a plain id: no decoding, as in the template. */
function formField(body: string, name: string): string | undefined {
  const prefix = `${name}=`;
  // A scan rather than split('&'): a form of a million fields costs no array of a million strings.
  for (let start = 0; start <= body.length; ) {
    const next = body.indexOf('&', start);
    const end = next === -1 ? body.length : next;
    if (body.startsWith(prefix, start)) {
      const value = body.slice(start + prefix.length, end);
      if (formValue.test(value)) return value;
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * Java's String.hashCode (s[0]·31^(n−1) + … + s[n−1] in 32-bit int arithmetic), which the REST
 * template can call: a bounded hash both sides compute alike.
 * https://docs.oracle.com/en/java/javase/21/docs/api/java.base/java/lang/String.html#hashCode()
 */
export function javaStringHash(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(hash, 31) + value.charCodeAt(i)) | 0;
  return hash;
}
