import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { decodeRestEnvelope } from '../../shared/queue-message/envelope.ts';
import { messageIds, queueRoutes } from '../../shared/queue-message/routes.ts';
import { makeProviderWebhooks, makeSignedDelivery } from '../../factories/webhooks.ts';
import { renderIntegrationResponse, renderResponseTemplate, renderRestTemplate, type GatewayRequest } from './helpers/api-gateway-vtl.ts';
import { findInMap, loadTemplate } from './helpers/cloudformation-yaml.ts';
import { messageIdsOf, startQueueRoundTrip, type Delivery, type QueueRoundTrip } from './helpers/queue-round-trip.ts';
import { parseSendMessageForm } from './helpers/sqs-form.ts';
import {
  deliveryIdHeaders,
  makeEmptyRequest,
  makeGatewayRequest,
  makeQuotedHeadersRequest,
  makeRepeatedQueryRequest,
  makeStripeRequest,
  fromSignedDelivery,
  realWorldRequests,
} from './helpers/webhook-requests.ts';

// The contract between infra/service.yaml and the worker: the REST API request template, taken
// from the template file, rendered as API Gateway would (helpers/api-gateway-vtl.ts), sent to a
// local SQS queue, received as Lambda's event source would, and replayed by the real worker
// into the real app. AWS itself is the only part stubbed (the VTL context and the queue).
const template = loadTemplate('infra/service.yaml');
const envelopeTemplate = findInMap(template, { 'Fn::FindInMap': ['RestApiTemplates', 'SendMessage', 'Envelope'] }) as string;
const acceptedTemplate = findInMap(template, { 'Fn::FindInMap': ['RestApiTemplates', 'SendMessage', 'Accepted'] }) as string;

// POST /webhook/slack is served by the http function, not queued (README.md, "Receiving webhooks
// from Slack"; test/infra/service.test.ts checks the routing).
const queuedRoutes = queueRoutes.filter((route) => route.queued !== false);

function resourceOf(path: string) {
  return path === '/webhook' ? '/webhook' : '/webhook/{proxy+}';
}

// API Gateway picks the request template by the media type (parameters dropped; none means
// application/json). For the API's binary media types the SQS integration converts the body to
// text, so that template sees base64 of the exact bytes (api-gateway-payload-encodings-workflow.html).
const postIntegration = template.Resources.RestWebhookPostMethod?.Properties?.Integration as {
  ContentHandling?: string;
  RequestTemplates: Record<string, unknown>;
  IntegrationResponses: { StatusCode: string; SelectionPattern?: string; ResponseTemplates: Record<string, unknown> }[];
};
const binaryTypes = ((template.Resources.RestApi?.Properties?.BinaryMediaTypes ?? []) as string[]).map((type) => type.replace('~1', '/'));

function mediaTypeOf(request: GatewayRequest): string {
  const header = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  return (header ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
}

function render(request: GatewayRequest): string {
  const type = mediaTypeOf(request);
  const chosen = findInMap(template, postIntegration.RequestTemplates[type] ?? postIntegration.RequestTemplates['application/json']) as string;
  const bodyAsBase64 = binaryTypes.includes(type) && postIntegration.ContentHandling === 'CONVERT_TO_TEXT';
  return renderRestTemplate(chosen, request, resourceOf(request.path), { bodyAsBase64 });
}

/** The integration response API Gateway picks for an SQS answer: the pattern matching its status, else the default. */
function respond(status: number, sqsBody: string) {
  const chosen = postIntegration.IntegrationResponses.find((r) => r.SelectionPattern !== undefined && new RegExp(`^(?:${r.SelectionPattern})$`).test(String(status))) ??
    postIntegration.IntegrationResponses.find((r) => r.SelectionPattern === undefined);
  const rendered = renderIntegrationResponse(findInMap(template, chosen?.ResponseTemplates['application/json']) as string, sqsBody, { requestId: 'req-1' });
  return { status: rendered.status ?? Number(chosen?.StatusCode), error: (JSON.parse(rendered.body) as { error?: { code: string } }).error?.code };
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** What the app must see: the request as sent (the template sees one value per query key). */
function expectedView(request: GatewayRequest) {
  const headers = Object.fromEntries(Object.entries(lowerCase(request.headers)).filter(([name]) => name !== 'content-length'));
  return {
    method: request.method,
    path: request.path,
    query: Object.entries(Object.fromEntries(request.query)),
    headers,
    body: request.body.toString('hex'),
    receivedAt: request.requestTime,
  };
}

/** What the app saw, without the headers light-my-request computes or adds for an injection. */
function actualView(delivery: Delivery, request: GatewayRequest) {
  const seen = delivery.seen;
  if (!seen) throw new Error('The worker did not replay the record');
  const sent = new Set(Object.keys(lowerCase(request.headers)));
  const headers = Object.fromEntries(Object.entries(seen.headers).filter(([name]) => name !== 'content-length' && (sent.has(name) || name !== 'user-agent')));
  return { method: seen.method, path: seen.path, query: seen.query, headers, body: seen.body.toString('hex'), receivedAt: seen.receivedAt };
}

/** The ids shared/queue-message/routes.ts gives the request. */
function expectedIds(request: GatewayRequest) {
  return messageIds({ path: request.path, headers: lowerCase(request.headers), body: request.body }, request.requestId);
}

describe('REST API request template', () => {
  let roundTrip: QueueRoundTrip;

  before(async () => {
    roundTrip = await startQueueRoundTrip({ webhooks: makeProviderWebhooks() });
  });

  after(async () => {
    await roundTrip.stop();
  });

  const realWorld: [string, () => GatewayRequest][] = [
    ...realWorldRequests,
    ['an empty body', makeEmptyRequest],
    ['header values with quotes and backslashes', makeQuotedHeadersRequest],
    ['repeated query keys', makeRepeatedQueryRequest],
  ];

  for (const [name, makeRequest] of realWorld) {
    it(`replays ${name} into the app byte for byte, with the route's message ids`, async () => {
      const request = makeRequest();

      const delivery = await roundTrip.deliver(parseSendMessageForm(render(request)));

      expect(actualView(delivery, request)).to.deep.equal(expectedView(request));
      expect(messageIdsOf(delivery)).to.deep.equal(expectedIds(request));
    });
  }

  it('has POST /webhook answer the SHA-256 of the exact bytes, and the message acknowledged', async () => {
    const request = makeGatewayRequest({ body: Buffer.from('{"emoji":"🙂","quote":"\\"it\'s\\""}', 'utf8'), headers: { 'Content-Type': 'application/json' } });

    const delivery = await roundTrip.deliver(parseSendMessageForm(render(request)));

    expect(delivery.batch).to.deep.equal({ batchItemFailures: [] });
    expect(delivery.seen?.response).to.deep.equal({
      received: true,
      bytes: request.body.length,
      sha256: createHash('sha256').update(request.body).digest('hex'),
      contentType: 'application/json',
    });
  });

  it('queues a 700 KB body, and answers 413 payload_too_large when SQS refuses one whose envelope passes 1 MiB', async () => {
    const body = (size: number) => Buffer.from(JSON.stringify({ data: 'x'.repeat(size) }), 'utf8');
    const fits = makeGatewayRequest({ body: body(700_000), headers: { 'Content-Type': 'application/json' } });
    const tooLarge = makeGatewayRequest({ body: body(800_000), headers: { 'Content-Type': 'application/json' } });

    const delivered = await roundTrip.deliver(parseSendMessageForm(render(fits)));
    const refused = await roundTrip.deliver(parseSendMessageForm(render(tooLarge))).catch((error: unknown) => error);
    // SQS's query-protocol answer to API Gateway, with the refusal's own text.
    const sqsAnswer = JSON.stringify({ Error: { Type: 'Sender', Code: 'InvalidParameterValue', Message: (refused as Error).message }, RequestId: 'r' });

    expect(delivered.seen?.body.equals(fits.body)).to.equal(true);
    expect((refused as Error).message).to.match(/Message must be shorter than 1048576 bytes/);
    expect(respond(400, sqsAnswer)).to.deep.equal({ status: 413, error: 'payload_too_large' });
  });

  it('answers 413 to an HTTP 413 from SQS, 502 to every other refusal (throttling, KMS) and 503 to SQS 5xx, so providers retry all but the too large', () => {
    expect([
      respond(413, 'HTTP content length exceeded'),
      respond(400, JSON.stringify({ Error: { Code: 'RequestThrottled', Message: 'Rate exceeded' } })),
      respond(400, JSON.stringify({ Error: { Code: 'KmsThrottled', Message: 'throttled' } })),
      respond(403, JSON.stringify({ Error: { Code: 'AccessDenied', Message: 'no' } })),
      respond(503, JSON.stringify({ Error: { Code: 'ServiceUnavailable' } })),
    ]).to.deep.equal([
      { status: 413, error: 'payload_too_large' },
      { status: 502, error: 'queue_rejected' },
      { status: 502, error: 'queue_rejected' },
      { status: 502, error: 'queue_rejected' },
      { status: 503, error: 'queue_unavailable' },
    ]);
  });

  it('queues the bytes of a binary media type byte for byte: octet-stream, a multipart part that is not UTF-8', async () => {
    const png = makeGatewayRequest({ body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe]), headers: { 'Content-Type': 'application/octet-stream' } });
    const multipart = makeGatewayRequest({
      body: Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name="f"; filename="x.bin"\r\n\r\n'), Buffer.from([0xff, 0x00, 0xc3]), Buffer.from('\r\n--b--\r\n')]),
      headers: { 'Content-Type': 'multipart/form-data; boundary=b' },
    });

    const deliveries = [await roundTrip.deliver(parseSendMessageForm(render(png))), await roundTrip.deliver(parseSendMessageForm(render(multipart)))];

    expect(deliveries.map((d) => d.seen?.body.toString('hex'))).to.deep.equal([png.body.toString('hex'), multipart.body.toString('hex')]);
  });

  it('has a binary template that differs from the text one only in taking the body as base64 already', () => {
    const text = (findInMap(template, { 'Fn::FindInMap': ['RestApiTemplates', 'SendMessage', 'Envelope'] }) as string).split('\n');
    const binary = (findInMap(template, { 'Fn::FindInMap': ['RestApiTemplates', 'SendMessage', 'EnvelopeBinary'] }) as string).split('\n');
    const differing = text.flatMap((line, index) => (line === binary[index] ? [] : [[line.trim(), binary[index]?.trim()]]));

    expect(binary).to.have.length(text.length);
    expect(differing).to.deep.equal([[`$util.urlEncode('},"body":"')$util.urlEncode($util.base64Encode($input.body))##`, `$util.urlEncode('},"body":"')$util.urlEncode($input.body)##`]]);
    expect(Object.entries(postIntegration.RequestTemplates).filter(([type, t]) => binaryTypes.includes(type) !== (findInMap(template, t) === binary.join('\n')))).to.deep.equal([]);
  });

  it('gives the app the queue metadata of the message it replays', async () => {
    const request = makeStripeRequest();

    const delivery = await roundTrip.deliver(parseSendMessageForm(render(request)));

    expect(delivery.seen?.queue).to.deep.equal({
      messageId: delivery.record.messageId,
      groupId: '/webhook/stripe',
      sequenceNumber: delivery.record.attributes.SequenceNumber,
      receiveCount: 1,
      sentAt: Number(delivery.record.attributes.SentTimestamp),
    });
  });

  // Signed as each provider signs (factories/webhooks.ts) and checked by the app's own
  // verifiers: the mapping carries every header and byte a signature covers.
  for (const provider of ['stripe', 'github', 'twilio', 'shopify', 'standard'] as const) {
    it(`delivers a signed ${provider} webhook that the app verifies and handles`, async () => {
      const id = `${provider}-${randomUUID()}`;
      const request = fromSignedDelivery(makeSignedDelivery(provider, { id }));

      const delivery = await roundTrip.deliver(parseSendMessageForm(render(request)));

      expect(delivery.batch).to.deep.equal({ batchItemFailures: [] });
      expect([delivery.seen?.status, delivery.seen?.response]).to.deep.equal([200, { received: true, provider, deliveryId: id }]);
    });
  }

  describe('message group and deduplication ids', () => {
    // Every queued route of shared/queue-message/routes.ts, with and without the headers its
    // rules read (the ordering key's own cases: test/infra/rest-ordering-key.test.ts).
    const headerSets = (route: (typeof queueRoutes)[number]): Record<string, string>[] => {
      const keyHeaders = (route.orderingKey ?? []).flat().flatMap((source) => ('header' in source ? [source.header] : []));
      return [{}, Object.fromEntries([...deliveryIdHeaders, ...keyHeaders].map((h) => [h.toUpperCase(), `${h}-value`]))];
    };

    for (const route of [...queuedRoutes, { path: '/webhook/acme/events' }]) {
      it(`match messageIds() for ${route.path}, deduplicating by request id alone`, () => {
        for (const headers of headerSets(route)) {
          const request = makeGatewayRequest({ path: route.path, headers });

          const form = parseSendMessageForm(render(request));

          expect({ groupId: form.MessageGroupId, deduplicationId: form.MessageDeduplicationId }).to.deep.equal(expectedIds(request));
          expect(form.MessageDeduplicationId).to.equal(request.requestId);
        }
      });
    }
  });

  it('builds an envelope decodeRestEnvelope turns back into the request, for any text', () => {
    const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);
    const text = fc.string({ unit: 'grapheme', maxLength: 200 });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(headerName, fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).filter((v) => !/[\r\n\0]/.test(v))), {
          selector: ([name]) => name.toLowerCase(),
          maxLength: 6,
        }),
        fc.uniqueArray(fc.tuple(text.filter((k) => k !== ''), text), { selector: ([key]) => key, maxLength: 4 }),
        text,
        fc.stringMatching(/^[a-z0-9._~-]{1,20}$/),
        (headers, query, body, subPath) => {
          const request = makeGatewayRequest({ path: `/webhook/${subPath}`, headers: Object.fromEntries(headers), query, body: Buffer.from(body, 'utf8') });

          const envelope = JSON.parse(parseSendMessageForm(render(request)).MessageBody) as Record<string, unknown>;
          const decoded = decodeRestEnvelope(envelope);

          // The envelope's query is a JSON object: a key whose base64 is all digits ("7720" for
          // "ｴ") moves to the front when parsed, so only the pairs, not their order, survive.
          expect({ ...decoded, query: [...decoded.query].sort() }).to.deep.equal({
            method: 'POST',
            path: request.path,
            query: [...query].sort(),
            headers: lowerCase(request.headers),
            body: request.body,
            receivedAt: request.requestTime,
            requestId: request.requestId,
            sourceIp: request.sourceIp,
            domainName: request.domainName,
            stage: request.stage,
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  // API Gateway's Velocity keeps the newline after a directive; velocityjs drops some of them, so
  // rendering alone would not catch a missing ##. Every line must end with one (or be a comment).
  it('ends every template line with ## so no newline reaches the form', () => {
    const lines = envelopeTemplate.split('\n').filter((line) => line !== '');

    expect(lines.filter((line) => !line.endsWith('##') && !line.trimStart().startsWith('##'))).to.deep.equal([]);
  });

  it('base64-encodes what clients send because $util.escapeJavaScript does not make valid JSON', () => {
    const escapingTemplate = '{"body":"$util.escapeJavaScript($input.body)"}';

    const rendered = renderRestTemplate(escapingTemplate, makeGatewayRequest({ body: Buffer.from("it's", 'utf8') }), '/webhook');

    expect(rendered).to.equal(String.raw`{"body":"it\'s"}`);
    expect(() => JSON.parse(rendered) as unknown).to.throw(SyntaxError);
  });

  it('answers 202 with the SQS message id and request id, as the local gateway does', () => {
    const sqsAnswer = { SendMessageResponse: { SendMessageResult: { MessageId: '5fea7756-0ea4-451a-a703-a558b933e274', SequenceNumber: '18849496460467696128' } } };

    const body = renderResponseTemplate(acceptedTemplate, sqsAnswer, { requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' });

    expect(JSON.parse(body)).to.deep.equal({ accepted: true, messageId: '5fea7756-0ea4-451a-a703-a558b933e274', requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' });
  });
});
