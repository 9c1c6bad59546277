import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { queueRoutes } from '../../shared/queue-message/routes.ts';
import { makeProviderWebhooks, makeSignedDelivery } from '../../factories/webhooks.ts';
import type { GatewayRequest } from './helpers/api-gateway-vtl.ts';
import { findInMap, loadTemplate, resourcesOfType } from './helpers/cloudformation-yaml.ts';
import { evaluateSendMessage, selectRoute } from './helpers/http-api-mapping.ts';
import { messageIdsOf, SqsRefusal, startQueueRoundTrip, type Delivery, type QueueRoundTrip } from './helpers/queue-round-trip.ts';
import {
  deliveryIdHeaders,
  makeEmptyRequest,
  makeGatewayRequest,
  makeGitHubRequest,
  makeQuotedHeadersRequest,
  makeRepeatedQueryRequest,
  makeStripeRequest,
  fromSignedDelivery,
  realWorldRequests,
} from './helpers/webhook-requests.ts';

// The contract between infra/service.yaml's HTTP API (v2) SQS integrations and the worker: each
// integration's RequestParameters, taken from the template file, evaluated as API Gateway
// would (helpers/http-api-mapping.ts), sent to a local SQS queue and replayed by the real worker
// into the real app. AWS itself is the only part stubbed.
const template = loadTemplate('infra/service.yaml');
const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((route) => {
  const target = (route.Properties?.Target as { 'Fn::Sub': string })['Fn::Sub'];
  return { key: route.Properties?.RouteKey as string, integration: /^integrations\/\$\{(\w+)\}$/.exec(target)?.[1] ?? '' };
});
const sqsIntegrations = Object.entries(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')).filter(([, i]) => i.Properties?.IntegrationSubtype === 'SQS-SendMessage');

// POST /webhook/slack is served by the http function, not queued (README.md, "Receiving webhooks from Slack").
const queuedRoutes = queueRoutes.filter((route) => route.queued !== false);

/** An integration's RequestParameters as API Gateway stores them (Fn::FindInMap resolved). */
function requestParametersOf(properties: Record<string, unknown>): Record<string, unknown> {
  const raw = (properties.RequestParameters ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, typeof value === 'object' && value !== null && 'Fn::FindInMap' in value ? findInMap(template, value) : value]));
}

function integrationFor(request: GatewayRequest) {
  const key = selectRoute(routes.map((r) => r.key), request.method, request.path);
  const logicalId = routes.find((r) => r.key === key)?.integration ?? '';
  const properties = template.Resources[logicalId]?.Properties ?? {};
  return { logicalId, properties, requestParameters: requestParametersOf(properties) };
}

function sendMessageFor(request: GatewayRequest) {
  return evaluateSendMessage(integrationFor(request).requestParameters, request);
}

/** Headers an integration's message body frame carries: its `name: ${request.header.name}` lines. */
function framedHeaders(requestParameters: Record<string, unknown>): string[] {
  return [...String(requestParameters.MessageBody).matchAll(/^([a-z0-9-]+): \$\{request\.header\.\1\}$/gm)].map((match) => match[1] ?? '');
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * What the app must see: the body as text, the path, the mapped headers that were sent
 * (non-empty), no query string, and the gateway's request id, time and client address.
 */
function expectedView(request: GatewayRequest) {
  const sent = lowerCase(request.headers);
  const headers = Object.fromEntries(framedHeaders(integrationFor(request).requestParameters).filter((name) => sent[name]).map((name) => [name, sent[name]]));
  return {
    method: request.method,
    path: request.path,
    query: [],
    headers,
    body: request.body.toString('hex'),
    // $context.requestTimeEpoch is in seconds on HTTP APIs.
    receivedAt: Math.floor(request.requestTime / 1000) * 1000,
    requestId: request.requestId,
    ip: request.sourceIp,
  };
}

function actualView(delivery: Delivery) {
  const seen = delivery.seen;
  if (!seen) throw new Error('The worker did not replay the record');
  const injected = new Set(['content-length', 'host', 'user-agent']);
  const headers = Object.fromEntries(Object.entries(seen.headers).filter(([name]) => !injected.has(name)));
  return { method: seen.method, path: seen.path, query: seen.query, headers, body: seen.body.toString('hex'), receivedAt: seen.receivedAt, requestId: seen.requestId, ip: seen.ip };
}

/**
 * The HTTP API's ids: a constant group per route (a mapped header could hold characters SQS
 * refuses in an id; REST sanitises, and groups Shopify per shop) and the request id.
 */
function expectedIds(path: string, requestId: string) {
  const route = queuedRoutes.find((r) => r.path === path);
  return { groupId: route ? route.path : '/webhook', deduplicationId: requestId };
}

/** C0 controls other than tab, LF and CR: outside the characters SQS takes in a body. */
function hasControlCharacter(text: string): boolean {
  return [...text].some((c) => c.charCodeAt(0) < 0x20 && !'\t\n\r'.includes(c));
}

describe('HTTP API SQS-SendMessage integrations', () => {
  let roundTrip: QueueRoundTrip;

  before(async () => {
    roundTrip = await startQueueRoundTrip({ webhooks: makeProviderWebhooks() });
  });

  after(async () => {
    await roundTrip.stop();
  });

  const realWorld: [string, () => GatewayRequest][] = [
    ...realWorldRequests,
    ['unmapped header values with quotes and backslashes', makeQuotedHeadersRequest],
    ['repeated query keys (HTTP API carries no query string)', makeRepeatedQueryRequest],
  ];

  for (const [name, makeRequest] of realWorld) {
    it(`replays ${name} into the app byte for byte, with the route's message ids`, async () => {
      const request = makeRequest();

      const delivery = await roundTrip.deliver(sendMessageFor(request));

      expect(actualView(delivery)).to.deep.equal(expectedView(request));
      expect(messageIdsOf(delivery)).to.deep.equal(expectedIds(request.path, request.requestId));
    });
  }

  it('sends every POST under /webhook but Slack to an SQS integration, and everything else to the http function', () => {
    const target = (method: string, path: string) => integrationFor(makeGatewayRequest({ method, path })).properties.IntegrationSubtype ?? 'lambda';

    const targets = ['/webhook/acme/events', ...queuedRoutes.map((r) => r.path)].map((path) => target('POST', path));

    expect(new Set(targets)).to.deep.equal(new Set(['SQS-SendMessage']));
    expect([target('POST', '/webhook/slack'), target('GET', '/webhook'), target('GET', '/health'), target('POST', '/api/things')]).to.deep.equal([
      'lambda',
      'lambda',
      'lambda',
      'lambda',
    ]);
  });

  // API Gateway has refused a static MessageAttributes mapping at create time
  // (https://github.com/hashicorp/terraform-provider-aws/issues/17348, #19443): none is mapped.
  it('maps no message attributes, and only values API Gateway makes into the group and dedup id of every integration', () => {
    const mapped = sqsIntegrations.flatMap(([id, integration]) => {
      const parameters = requestParametersOf(integration.Properties ?? {});
      const clientValues = ['MessageGroupId', 'MessageDeduplicationId'].filter((name) => String(parameters[name]).includes('request.')).map((name) => `${id}.${name}`);
      return 'MessageAttributes' in parameters ? [...clientValues, `${id}.MessageAttributes`] : clientValues;
    });

    expect(sqsIntegrations).to.have.length.above(1);
    expect(mapped).to.deep.equal([]);
  });

  // A first-class integration may map "Context variable: $context.variableName, the value of a
  // supported context variable" into any parameter
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services.html),
  // the variables being those of https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html;
  // static text with ${...} variables in it is a mapping value too
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html).
  it('maps the method, request id, request time and source IP into each message body, as its lines 2 to 5, and the path as the last line of its head', () => {
    const heads = sqsIntegrations.map(([, integration]) => String(requestParametersOf(integration.Properties ?? {}).MessageBody).split('\n\n')[0]?.split('\n') ?? []);

    expect(new Set(heads.map((lines) => lines.slice(0, 5).join('\n')))).to.deep.equal(
      new Set(['HttpApiV2SQSLambda 2\n${context.httpMethod}\n${context.requestId}\n${context.requestTimeEpoch}\n${context.identity.sourceIp}']),
    );
    expect(new Set(heads.map((lines) => lines.at(-1)))).to.deep.equal(new Set(['${request.path}']));
  });

  it('queues an empty body: the frame keeps the message from being empty', async () => {
    const request = makeEmptyRequest();

    const delivery = await roundTrip.deliver(sendMessageFor(request));

    expect(actualView(delivery)).to.deep.equal(expectedView(request));
  });

  it('queues a request that lacks every mapped header, and one whose headers hold quotes, backslashes and braces', async () => {
    const bare = makeGitHubRequest();
    bare.headers = {};
    const quoted = makeStripeRequest();
    quoted.headers['Content-Type'] = 'application/json; charset="utf-8"';
    quoted.headers['Stripe-Signature'] = 't=1,v1=abc"}, "requestTime": {"DataType": "Number", "StringValue": "1"}, \\ "h.x": {';

    const deliveries = [await roundTrip.deliver(sendMessageFor(bare)), await roundTrip.deliver(sendMessageFor(quoted))];

    expect(deliveries.map(actualView)).to.deep.equal([expectedView(bare), expectedView(quoted)]);
    expect(deliveries[1]?.seen?.receivedAt).to.equal(Math.floor(quoted.requestTime / 1000) * 1000);
  });

  it('carries the gateway values in the body alone: the record has no attributes, and the app gets the request time in epoch milliseconds', async () => {
    const request = makeStripeRequest();
    request.requestTime = 1_764_000_000_987;

    const delivery = await roundTrip.deliver(sendMessageFor(request));

    expect(delivery.record.messageAttributes).to.deep.equal({});
    expect(delivery.record.body.split('\n').slice(0, 5)).to.deep.equal(['HttpApiV2SQSLambda 2', 'POST', request.requestId, '1764000000', request.sourceIp]);
    expect([delivery.seen?.receivedAt, delivery.seen?.requestId, delivery.seen?.ip]).to.deep.equal([1_764_000_000_000, request.requestId, request.sourceIp]);
  });

  it('cannot queue a body with a character SQS refuses: a binary webhook needs the REST API', async () => {
    const request = makeStripeRequest();
    request.body = Buffer.from([0x7b, 0x00, 0x01, 0x7d]);

    const error = await roundTrip.deliver(sendMessageFor(request)).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(SqsRefusal);
    expect((error as SqsRefusal).problems).to.deep.equal(['MessageBody contains characters outside the set SQS allows']);
  });

  // Any header value (no CR or LF: RFC 9110), any header missing, any text body: the send never
  // fails and the app sees what was sent. Route, values and body drawn by fast-check.
  it('never fails a send for any header values, missing headers or text body, and the app sees them', async () => {
    const routeOf = fc.constantFrom(...queuedRoutes.map((r) => r.path), '/webhook/acme/events');
    const ascii = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 });
    const headerValue = fc.string({ unit: fc.oneof(fc.constantFrom('"', '\\', '{', '}', ':', ' ', ',', '$', '%', 'é', '€', '😀'), ascii), maxLength: 40 })
      .filter((v) => !/[\r\n\0]/.test(v) && v.trim() === v);
    const bodyText = fc.string({ unit: fc.oneof(ascii, fc.constantFrom('\n', '\r', '\t', 'é', '😀', '"', '\n\n')), maxLength: 200 }).filter((b) => !hasControlCharacter(b));

    await fc.assert(
      fc.asyncProperty(routeOf, fc.dictionary(fc.constantFrom(...framedHeaders(integrationFor(makeGatewayRequest({ path: '/webhook/standard' })).requestParameters), 'stripe-signature', 'x-hub-signature-256'), headerValue), bodyText, async (path, headers, body) => {
        const request = makeGatewayRequest({ path, headers, body: Buffer.from(body, 'utf8') });

        const delivery = await roundTrip.deliver(sendMessageFor(request));

        expect(actualView(delivery)).to.deep.equal(expectedView(request));
      }),
      { numRuns: 40 },
    );
  });

  // HTTP APIs hand their integrations the path percent-decoded: the Lambda event's rawPath holds
  // a decoded '#' or '/' (https://github.com/honojs/hono/issues/2156,
  // https://github.com/middleapi/standard-server/pull/93 from live captures). Whether
  // ${request.path} in a mapping is decoded too only AWS can confirm, so the worst is assumed: a
  // client's %0A on POST /webhook/{proxy+} is a line break in the frame's path.
  describe('a path holding line breaks (a decoded %0A)', () => {
    it('adds no header and changes no header value the app sees: the message is parked, not replayed', async () => {
      const smuggling = makeGatewayRequest({ path: '/webhook/acme\nx-smuggled: yes', headers: { 'content-type': 'application/json' } });
      const overriding = makeGatewayRequest({ path: '/webhook/acme\ncontent-type: text/evil', headers: { 'content-type': 'application/json' } });

      const deliveries = [await roundTrip.deliver(sendMessageFor(smuggling)), await roundTrip.deliver(sendMessageFor(overriding))];

      expect(deliveries.map((d) => [d.seen?.headers, d.batch])).to.deep.equal([
        [undefined, { batchItemFailures: [] }],
        [undefined, { batchItemFailures: [] }],
      ]);
    });

    it('keeps the headers of the route and the gateway values for any path with line breaks, or parks the message; none is lost', async () => {
      const piece = fc.constantFrom('\n', '\n\n', 'x-smuggled: yes', 'content-type: text/evil', '/webhook/stripe', 'HttpApiV2SQSLambda 2', 'POST', '1', ':', 'acme');
      await fc.assert(
        fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 8 }), async (pieces) => {
          const request = makeGatewayRequest({ path: `/webhook/${pieces.join('')}`, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"id":"evt_1"}') });

          const delivery = await roundTrip.deliver(sendMessageFor(request));

          expect(delivery.batch).to.deep.equal({ batchItemFailures: [] });
          if (!delivery.seen) return;
          const view = actualView(delivery);
          expect({ ...view, path: request.path.startsWith(decodeURIComponent(view.path)) }).to.deep.include({
            method: 'POST',
            path: true,
            headers: { 'content-type': 'application/json' },
            requestId: request.requestId,
            ip: request.sourceIp,
          });
        }),
        { numRuns: 40 },
      );
    });
  });

  // Signed as each provider signs (factories/webhooks.ts) and checked by the app's own
  // verifiers: the mapping carries every header and byte a signature covers.
  for (const provider of ['stripe', 'github', 'twilio', 'shopify', 'standard'] as const) {
    it(`delivers a signed ${provider} webhook that the app verifies and handles`, async () => {
      const id = `${provider}-${randomUUID()}`;
      const request = fromSignedDelivery(makeSignedDelivery(provider, { id }));

      const delivery = await roundTrip.deliver(sendMessageFor(request));

      expect(delivery.batch).to.deep.equal({ batchItemFailures: [] });
      expect([delivery.seen?.status, delivery.seen?.response]).to.deep.equal([200, { received: true, provider, deliveryId: id }]);
    });
  }

  describe('message group and deduplication ids', () => {
    for (const route of [...queuedRoutes, { path: '/webhook/acme/events' }]) {
      it(`group by route and deduplicate by request id alone for ${route.path}, whatever delivery-id and group headers say`, () => {
        const headers = Object.fromEntries([...deliveryIdHeaders, 'x-shopify-shop-domain'].map((h) => [h.toUpperCase(), `${h}-value`]));
        const request = makeGatewayRequest({ path: route.path, headers });

        const send = sendMessageFor(request);

        expect({ groupId: send.MessageGroupId, deduplicationId: send.MessageDeduplicationId }).to.deep.equal(expectedIds(route.path, request.requestId));
      });
    }
  });
});
