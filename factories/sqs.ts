// Fixture factories for SQS events as Lambda delivers them, shaped after AWS's FIFO sample
// ("Using Lambda with Amazon SQS"): every attribute a string, message attributes in lower camel case.
import { randomUUID } from 'node:crypto';
import type { SQSEvent, SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { encodeRestEnvelope } from '../shared/queue-message/envelope.ts';
import { encodeHttpApiFrame } from '../shared/queue-message/http-api-message.ts';
import type { ReplayRequest } from '../shared/queue-message/replay-request.ts';

interface SqsRecordSpec {
  body?: string;
  messageId?: string;
  /** FIFO message group; `null` makes a standard-queue record with none. */
  groupId?: string | null;
  receiveCount?: number;
  sequenceNumber?: string;
  sentAt?: number;
  /** String values become `String` attributes. */
  messageAttributes?: Record<string, string | SQSMessageAttribute>;
  /** Overrides of the system attributes. */
  attributes?: Partial<SQSRecordAttributes>;
}

export const sampleTime = 1_764_000_000_000;

export function stringAttribute(value: string): SQSMessageAttribute {
  return { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' };
}

export function makeSqsRecord(spec: SqsRecordSpec = {}): SQSRecord {
  const messageId = spec.messageId ?? randomUUID();
  const sentAt = String(spec.sentAt ?? sampleTime);
  const groupId = spec.groupId === undefined ? 'webhooks' : spec.groupId;
  return {
    messageId,
    receiptHandle: `AQEB${Buffer.from(messageId).toString('base64')}`,
    body: spec.body ?? 'Test message.',
    attributes: {
      ApproximateReceiveCount: String(spec.receiveCount ?? 1),
      SentTimestamp: sentAt,
      ...(groupId === null ? {} : { SequenceNumber: spec.sequenceNumber ?? '18849496460467696128', MessageGroupId: groupId, MessageDeduplicationId: messageId }),
      SenderId: 'AIDAIO23YVJENQZJOL4VO',
      ApproximateFirstReceiveTimestamp: sentAt,
      ...spec.attributes,
    },
    messageAttributes: Object.fromEntries(
      Object.entries(spec.messageAttributes ?? {}).map(([name, value]) => [name, typeof value === 'string' ? stringAttribute(value) : value]),
    ),
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:webhooks.fifo',
    awsRegion: 'eu-west-1',
  };
}

export function makeSqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A request as API Gateway received it, with test defaults: `POST /webhook` with a JSON body. */
export function makeReplayRequest(overrides: Partial<ReplayRequest> = {}): ReplayRequest {
  return {
    method: 'POST',
    path: '/webhook',
    query: [],
    headers: { 'content-type': 'application/json', host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
    body: Buffer.from('{"id":"evt_1","type":"payment.succeeded"}'),
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    receivedAt: sampleTime,
    sourceIp: '203.0.113.7',
    domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
    stage: 'prod',
    ...overrides,
  };
}

/** A record carrying our REST API (v1) envelope, as the REST API request template writes it. */
export function makeEnvelopeRecord(request: Partial<ReplayRequest> = {}, spec: SqsRecordSpec = {}): SQSRecord {
  return makeSqsRecord({ body: encodeRestEnvelope(makeReplayRequest(request)), ...spec });
}

interface HttpApiMessageSpec {
  method?: string;
  path?: string;
  body?: string;
  contentType?: string;
  requestId?: string;
  /** As `$context.requestTimeEpoch` renders it. */
  requestTime?: string;
  sourceIp?: string;
  /** Selected request headers: `h.<name>` attributes in version 1, head lines in version 2. */
  headers?: Record<string, string>;
}

/** Our HTTP API (v2) message of version 1, as earlier releases queued it: the raw body, the request in message attributes. */
export function makeHttpApiRecord(message: HttpApiMessageSpec = {}, spec: SqsRecordSpec = {}): SQSRecord {
  const attributes: Record<string, string> = {
    source: 'HttpApiV2SQSLambda',
    method: message.method ?? 'POST',
    path: message.path ?? '/webhook',
    requestId: message.requestId ?? 'JKJaXmPLvHcESHA=',
    requestTime: message.requestTime ?? String(sampleTime),
    contentType: message.contentType ?? 'application/json',
    sourceIp: message.sourceIp ?? '203.0.113.7',
  };
  for (const [name, value] of Object.entries(message.headers ?? {})) attributes[`h.${name}`] = value;
  return makeSqsRecord({ body: message.body ?? '{"id":"evt_1"}', ...spec, messageAttributes: { ...attributes, ...spec.messageAttributes } });
}

/**
 * A version 2 HTTP API message, as the integrations in infra/service.yaml map it: everything in
 * the framed body, no message attributes (`spec.messageAttributes` adds some).
 */
export function makeHttpApiFramedRecord(message: HttpApiMessageSpec & { headerNames?: string[] } = {}, spec: SqsRecordSpec = {}): SQSRecord {
  const headers = { 'content-type': message.contentType ?? 'application/json', ...message.headers };
  const body = encodeHttpApiFrame(
    {
      method: message.method ?? 'POST',
      requestId: message.requestId ?? 'JKJaXmPLvHcESHA=',
      requestTimeEpoch: message.requestTime ?? String(sampleTime / 1000),
      sourceIp: message.sourceIp ?? '203.0.113.7',
      path: message.path ?? '/webhook',
      headers,
      body: message.body ?? '{"id":"evt_1"}',
    },
    message.headerNames ?? Object.keys(headers).map((name) => name.toLowerCase()),
  );
  return makeSqsRecord({ body, ...spec });
}
