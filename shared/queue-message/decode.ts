import { isBase64 } from '../base64.ts';
import { isObject } from '../is-object.ts';
import type { SQSRecord } from 'aws-lambda';
import { decodeRestEnvelope, headerName, isRestEnvelope, restEnvelopeSource } from './envelope.ts';
import { MessageDecodeError } from './errors.ts';
import { decodeHttpApiFrame, httpApiSource, isHttpApiFrame, toEpochMs } from './http-api-message.ts';
import type { ReplayRequest } from './replay-request.ts';
import type { MessageShape } from './shapes.ts';

export type DecodedMessage =
  | { kind: 'request'; shape: MessageShape; request: ReplayRequest }
  /** Not a shape API Gateway makes (sent by hand): logged and acknowledged. */
  | { kind: 'unrecognized'; payload: unknown };

/** Version 1 HTTP API messages carried each mapped header in a message attribute `h.<header-name>`. */
const headerAttributePrefix = 'h.';

/**
 * Turns an SQS record back into the request API Gateway received, for every shape in the
 * README's "Queue message formats". Throws `MessageDecodeError` for a message that claims a
 * known shape but is broken.
 */
export function decodeRecord(record: SQSRecord): DecodedMessage {
  // Version 1 (headers in attributes, the raw body, which a client chose: so the attributes
  // decide first): still read, for messages earlier releases queued and kept up to the queue's
  // 14-day retention.
  if (attribute(record, 'source') === httpApiSource) return { kind: 'request', shape: 'http-api-v2', request: decodeHttpApiMessage(record) };
  // Version 2 carries no attributes: its body's first line names it. Any body that starts with
  // the name claims the shape, so a broken one is parked, never acknowledged as unrecognized.
  if (isHttpApiFrame(record.body)) return { kind: 'request', shape: 'http-api-v2-framed', request: decodeHttpApiFrame(record.body) };
  const payload = parseJson(record.body);
  if (!isObject(payload)) return { kind: 'unrecognized', payload };
  if (isRestEnvelope(payload)) return { kind: 'request', shape: 'rest-envelope-v1', request: decodeRestEnvelope(payload) };
  if (payload.source === restEnvelopeSource) return { kind: 'request', shape: 'legacy-v1', request: decodeLegacyV1(payload) };
  if (payload.source === httpApiSource) return { kind: 'request', shape: 'legacy-v2', request: decodeLegacyV2(payload) };
  return { kind: 'unrecognized', payload };
}

function decodeHttpApiMessage(record: SQSRecord): ReplayRequest {
  const problems: string[] = [];
  const method = attribute(record, 'method');
  const path = attribute(record, 'path');
  const requestTime = toEpochMs(Number(attribute(record, 'requestTime')));
  if (typeof record.body !== 'string') problems.push('body must be a string');
  if (!method || !/^[A-Z]{1,16}$/.test(method)) problems.push('attribute method must be an HTTP method token');
  if (!path?.startsWith('/')) problems.push('attribute path must start with "/"');
  if (!Number.isFinite(requestTime) || requestTime <= 0) problems.push('attribute requestTime must be epoch seconds or milliseconds');

  const headers: [string, string][] = [];
  const contentType = attribute(record, 'contentType');
  if (contentType) headers.push(['content-type', contentType]);
  for (const name of Object.keys(record.messageAttributes ?? {})) {
    if (!name.startsWith(headerAttributePrefix)) continue;
    const header = name.slice(headerAttributePrefix.length).toLowerCase();
    const text = attribute(record, name) ?? '';
    if (!headerName.test(header)) problems.push(`attribute ${name} does not name a valid HTTP header`);
    else if (/[\r\n\0]/.test(text)) problems.push(`attribute ${name} contains CR, LF or NUL`);
    else if (text !== '') headers.push([header, text]);
  }
  if (problems.length > 0) throw new MessageDecodeError('http-api-v2', problems);

  const sourceIp = attribute(record, 'sourceIp');
  const requestId = attribute(record, 'requestId');
  return {
    method: method!,
    path: path!,
    query: [],
    headers: Object.fromEntries(headers),
    body: Buffer.from(record.body, 'utf8'),
    receivedAt: requestTime,
    ...(sourceIp ? { sourceIp } : {}),
    ...(requestId ? { requestId } : {}),
  };
}

function decodeLegacyV1(payload: Record<string, unknown>): ReplayRequest {
  const { base64payload, jsonPayload, contentType } = payload;
  const problems: string[] = [];
  if (base64payload !== undefined && (typeof base64payload !== 'string' || !isBase64(base64payload))) {
    problems.push('base64payload must be a base64 string');
  }
  if (base64payload === undefined && jsonPayload === undefined) problems.push('jsonPayload or base64payload is required');
  if (contentType !== undefined && (typeof contentType !== 'string' || /[\r\n\0]/.test(contentType))) {
    problems.push('contentType must be a single-line string');
  }
  if (problems.length > 0) throw new MessageDecodeError('legacy-v1', problems);

  const body = typeof base64payload === 'string' ? Buffer.from(base64payload, 'base64') : Buffer.from(JSON.stringify(jsonPayload), 'utf8');
  return webhookPost(body, (contentType as string | undefined) ?? 'application/json');
}

function decodeLegacyV2(payload: Record<string, unknown>): ReplayRequest {
  if (!('MessageBody' in payload)) throw new MessageDecodeError('legacy-v2', ['MessageBody is required']);
  const { MessageBody } = payload;
  const text = typeof MessageBody === 'string' ? MessageBody : JSON.stringify(MessageBody);
  return webhookPost(Buffer.from(text, 'utf8'), 'application/json');
}

function webhookPost(body: Buffer, contentType: string): ReplayRequest {
  return { method: 'POST', path: '/webhook', query: [], headers: { 'content-type': contentType }, body };
}

function attribute(record: SQSRecord, name: string): string | undefined {
  const value = (record.messageAttributes as SQSRecord['messageAttributes'] | undefined)?.[name]?.stringValue as unknown;
  return typeof value === 'string' ? value : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: the payload is the text itself, logged as such (README "Queue message formats").
    return text;
  }
}
