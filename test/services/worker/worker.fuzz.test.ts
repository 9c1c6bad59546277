import type { SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord } from 'aws-lambda';
import { expect } from 'chai';
import fc from 'fast-check';
import { createWorkerMetrics } from '../../../services/worker/metrics.ts';
import { createWorkerHandler } from '../../../services/worker/worker.ts';
import { makeApp } from '../../../factories/app.ts';
import { makeLambdaContext } from '../../../factories/lambda-context.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';
import { makeEnvelopeRecord, makeHttpApiFramedRecord, makeHttpApiRecord, makeSqsEvent, makeSqsRecord, stringAttribute } from '../../../factories/sqs.ts';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const validEnvelope = (): Record<string, unknown> => JSON.parse(makeEnvelopeRecord().body) as Record<string, unknown>;
const knownSource = fc.constantFrom('ApiGatewayV1SQSLambda', 'HttpApiV2SQSLambda');

/** Broken messages of every kind: not JSON, wrong types, bad base64, bad attributes; each yields a whole record. */
const malformed: fc.Arbitrary<SQSRecord> = fc.oneof(
  // Not JSON at all.
  fc.string({ unit: 'binary' }).map((body) => makeSqsRecord({ body })),
  // JSON of the wrong type, or objects of known sources with random fields.
  fc.jsonValue().map((value) => makeSqsRecord({ body: JSON.stringify(value) })),
  fc.tuple(knownSource, fc.dictionary(fc.string(), fc.jsonValue())).map(([source, rest]) => makeSqsRecord({ body: JSON.stringify({ ...rest, source }) })),
  // Unknown source.
  fc.tuple(fc.string(), fc.jsonValue()).map(([source, jsonPayload]) => makeSqsRecord({ body: JSON.stringify({ source, jsonPayload }) })),
  // Our envelope with a field removed or replaced by anything, bad base64 included.
  fc.tuple(fc.constantFrom(...Object.keys(validEnvelope())), fc.option(fc.oneof(fc.string(), fc.jsonValue(), fc.constant('@@not base64@@')))).map(([field, value]) => {
    const envelope = validEnvelope();
    if (value === null) delete envelope[field];
    else envelope[field] = value;
    return makeSqsRecord({ body: JSON.stringify(envelope) });
  }),
  // CR, LF or NUL in header names and values, in the envelope and in HTTP API attributes.
  fc.tuple(fc.constantFrom('\r\n', '\n', '\r', '\0'), fc.string(), fc.boolean()).map(([bad, text, inName]) => {
    const envelope = validEnvelope();
    envelope.headers = inName ? { [b64(`x-a${bad}${text}`)]: b64('v') } : { [b64('x-a')]: b64(`v${bad}${text}`) };
    return makeSqsRecord({ body: JSON.stringify(envelope) });
  }),
  fc.tuple(fc.constantFrom('\r\n', '\n', '\0'), fc.string()).map(([bad, text]) => makeHttpApiRecord({ headers: { 'x-signature': `v${bad}${text}` } })),
  fc.string().map((name) => makeHttpApiRecord({ headers: { [`${name} bad`]: 'v' } })),
  // Framed HTTP API messages cut short or with a junk tail.
  fc.tuple(fc.nat(), fc.string({ maxLength: 100 })).map(([cut, tail]) => makeHttpApiFramedRecord({ headers: { 'x-signature': 'v1' } }).body.slice(0, cut % 80) + tail).map((body) => makeSqsRecord({ body })),
  // Huge headers.
  fc.integer({ min: 8 * 1024, max: 64 * 1024 }).map((size) => makeEnvelopeRecord({ headers: { 'content-type': 'application/json', 'x-huge': 'h'.repeat(size) } })),
  // Empty bodies.
  fc.constantFrom(makeSqsRecord({ body: '' }), makeHttpApiRecord({ body: '' }), makeEnvelopeRecord({ body: Buffer.alloc(0) })),
  // HTTP API messages missing attributes, or with attributes of the wrong type.
  fc.tuple(fc.subarray(['method', 'path', 'requestTime', 'requestId', 'contentType', 'sourceIp']), fc.jsonValue()).map(([missing, junk]) => {
    const record = makeHttpApiRecord();
    for (const name of missing) delete record.messageAttributes[name];
    record.messageAttributes.junk = junk as unknown as SQSMessageAttribute;
    return record;
  }),
  fc.constantFrom<(r: SQSRecord) => void>(
    (r) => delete (r as Partial<SQSRecord>).attributes,
    (r) => delete (r as Partial<SQSRecord>).messageAttributes,
    (r) => (r.messageAttributes = { source: { ...stringAttribute('x'), stringValue: 42 as unknown as string } }),
  ).map((mutate) => {
    const record = makeHttpApiRecord({ path: '/nowhere' });
    mutate(record);
    return record;
  }),
);

/** SQS stubbed as a FIFO DLQ that refuses a message without a group id, and says which parks were sent. */
function makeStubDlq() {
  const parked = new Set<string>();
  const sqs = {
    send: ({ input }: { input: SendMessageCommandInput }) => {
      if (!input.MessageGroupId || !input.MessageDeduplicationId) return Promise.reject(new Error('The request must contain the parameter MessageGroupId.'));
      parked.add(input.MessageDeduplicationId);
      return Promise.resolve({ MessageId: 'parked' });
    },
  } as unknown as SQSClient;
  return { sqs, parked };
}

/** Framed HTTP API message bodies: well formed for any route, headers and body, or broken after the shape name. */
const framedBodies: fc.Arbitrary<string> = fc.oneof(
  fc.record({
    path: fc.constantFrom('/webhook', '/webhook/stripe', '/webhook/github', '/webhook/acme/events', '/nowhere'),
    method: fc.constantFrom('POST', 'GET', 'PUT'),
    headers: fc.dictionary(fc.constantFrom('x-signature', 'stripe-signature', 'webhook-id', 'content-type'), fc.string({ maxLength: 40 }).filter((v) => !/[\r\n\0]/.test(v))),
    body: fc.string({ maxLength: 200 }),
  }).map((spec) => makeHttpApiFramedRecord(spec).body),
  fc.tuple(fc.constantFrom('HttpApiV2SQSLambda 2\n', 'HttpApiV2SQSLambda 9\n', 'HttpApiV2SQSLambda'), fc.string({ unit: fc.constantFrom('\n', '\n\n', 'POST', '/webhook', 'x-a: b', ':', '\r', '\0', 'a'), maxLength: 60 })).map(([first, rest]) => first + rest),
);

describe('createWorkerHandler (fuzz)', () => {
  it('settles each of 10,000 malformed records as done, retry, parked or logged, and never throws', async () => {
    // SQS itself is stubbed here, as a FIFO DLQ that refuses a message without a group id, and
    // says which parks were sent: 4,000-odd SendMessage calls to fauxqs would take 20 s on a
    // shared machine. Parks to a real SQS-compatible server are in park.test.ts and worker.test.ts.
    const { sqs, parked } = makeStubDlq();
    const { app } = makeApp({ logger: makeCapturingLogger('error').logger });
    const { logger, lines } = makeCapturingLogger();
    const handler = createWorkerHandler({ app, logger, metrics: createWorkerMetrics({ write: () => undefined }), dlqUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks-dlq.fifo', sqs });
    const records = fc.sample(malformed, { numRuns: 10_000, seed: 20251125 }).map((record, i) => ({ ...record, messageId: `fuzz-${i}` }));
    const failed = new Set<string>();

    for (let i = 0; i < records.length; i += 10) {
      const response = await handler(makeSqsEvent(records.slice(i, i + 10)), makeLambdaContext());
      for (const { itemIdentifier } of response.batchItemFailures) failed.add(itemIdentifier);
    }

    const byMessage = new Map(lines.map((line) => [line.messageId as string, line]));
    const unsettled = records.filter(({ messageId }) => {
      const line = byMessage.get(messageId);
      switch (line?.outcome) {
        case 'retry': return !failed.has(messageId);
        case 'parked': return failed.has(messageId) || !parked.has(messageId);
        case 'done': return failed.has(messageId) || !(typeof line.status === 'number' && line.status >= 200 && line.status < 300);
        case 'logged': return failed.has(messageId) || !('payload' in line || 'payloadPreview' in line);
        default: return true;
      }
    });
    expect(lines).to.have.length(records.length);
    expect(unsettled.map((r) => r.messageId)).to.deep.equal([]);
    const outcomes = new Set(lines.map((line) => line.outcome));
    expect([...outcomes].sort()).to.deep.equal(['done', 'logged', 'parked', 'retry']);
  });

  it('never throws for events of any shape, and names in batchItemFailures only records it was given', async () => {
    const { app } = makeApp({ logger: makeCapturingLogger('error').logger });
    const handler = createWorkerHandler({ app, logger: makeCapturingLogger('error').logger, metrics: createWorkerMetrics({ write: () => undefined }) });
    const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.jsonValue(), fc.string());
    const record = fc.record({ messageId: fc.oneof(fc.string({ minLength: 1 }), junk), body: junk, attributes: junk, messageAttributes: junk, eventSource: junk }, { requiredKeys: [] });
    const event = fc.oneof(junk, fc.record({ Records: fc.oneof(junk, fc.array(fc.oneof(record, junk, fc.constant(makeEnvelopeRecord())), { maxLength: 5 })) }, { requiredKeys: [] }));

    await fc.assert(
      fc.asyncProperty(event, async (sample) => {
        const response = await handler(sample, makeLambdaContext());

        const records = (sample as { Records?: unknown } | null)?.Records;
        const given = new Set(Array.isArray(records) ? records.map((r) => (r as { messageId?: unknown } | null)?.messageId) : []);
        expect(response.batchItemFailures.every(({ itemIdentifier }) => given.has(itemIdentifier))).to.equal(true);
      }),
      { numRuns: 500 },
    );
  });

  // The worker acknowledges an unrecognized message after logging it: a framed message, whose
  // only marker is its first line, must never be taken for one.
  it('never acknowledges a framed HTTP API message as unrecognized: each is replayed, retried or parked', async () => {
    const { sqs, parked } = makeStubDlq();
    const { app } = makeApp({ logger: makeCapturingLogger('error').logger });
    const { logger, lines } = makeCapturingLogger();
    const handler = createWorkerHandler({ app, logger, metrics: createWorkerMetrics({ write: () => undefined }), dlqUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/webhooks-dlq.fifo', sqs });
    const records = fc.sample(framedBodies, { numRuns: 1_000, seed: 20251126 }).map((body, i) => makeSqsRecord({ body, messageId: `framed-${i}`, groupId: `g-${i}` }));

    for (let i = 0; i < records.length; i += 10) await handler(makeSqsEvent(records.slice(i, i + 10)), makeLambdaContext());

    expect(lines).to.have.length(records.length);
    expect(lines.filter((line) => line.shape !== 'http-api-v2-framed' || !['done', 'retry', 'parked'].includes(line.outcome as string))).to.deep.equal([]);
    expect(lines.filter((line) => line.outcome === 'parked').every((line) => parked.has(line.messageId as string))).to.equal(true);
    expect(new Set(lines.map((line) => line.outcome))).to.include.keys('done', 'parked');
  });
});
