import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { messageIds, queueRoutes } from '../../shared/queue-message/routes.ts';
import { makeProviderWebhooks, makeSignedDelivery } from '../../factories/webhooks.ts';
import type { GatewayRequest } from './helpers/api-gateway-vtl.ts';
import { loadTemplate, resourcesOfType } from './helpers/cloudformation-yaml.ts';
import { evaluateSendMessage, GatewayRefusal, selectRoute } from './helpers/http-api-mapping.ts';
import { SqsRefusal, startQueueRoundTrip, type Delivery, type QueueRoundTrip } from './helpers/queue-round-trip.ts';
import {
  deliveryIdHeaders,
  makeEmptyRequest,
  makeGatewayRequest,
  makeGitHubRequest,
  makeQuotedHeadersRequest,
  makeRepeatedQueryRequest,
  makeShopifyRequest,
  makeStandardWebhookRequest,
  makeStripeRequest,
  makeTextRequest,
  makeTwilioRequest,
  makeXmlRequest,
  fromSignedDelivery,
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

// POST /webhook/slack is served by the http function, not queued (README.md, "Receiving webhooks from Slack").
const queuedRoutes = queueRoutes.filter((route) => route.queued !== false);

function integrationFor(request: GatewayRequest) {
  const key = selectRoute(routes.map((r) => r.key), request.method, request.path);
  const logicalId = routes.find((r) => r.key === key)?.integration ?? '';
  const properties = template.Resources[logicalId]?.Properties ?? {};
  return { logicalId, properties, requestParameters: properties.RequestParameters as Record<string, unknown> };
}

function sendMessageFor(request: GatewayRequest) {
  return evaluateSendMessage(integrationFor(request).requestParameters, request);
}

/** Headers the route's integration carries as `h.<name>` attributes (the raw text is JSON too). */
function mappedHeaders(request: GatewayRequest): string[] {
  const attributes = JSON.parse(String(integrationFor(request).requestParameters.MessageAttributes)) as object;
  return Object.keys(attributes).filter((name) => name.startsWith('h.')).map((name) => name.slice(2));
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** What the app must see: the body as text, the path, the mapped headers; no query string. */
function expectedView(request: GatewayRequest) {
  const sent = lowerCase(request.headers);
  const headers = Object.fromEntries(['content-type', ...mappedHeaders(request)].filter((name) => sent[name] !== undefined).map((name) => [name, sent[name]]));
  return {
    method: request.method,
    path: request.path,
    query: [],
    headers,
    body: request.body.toString('hex'),
    // $context.requestTimeEpoch is in seconds on HTTP APIs.
    receivedAt: Math.floor(request.requestTime / 1000) * 1000,
  };
}

function actualView(delivery: Delivery) {
  const seen = delivery.seen;
  if (!seen) throw new Error('The worker did not replay the record');
  const injected = new Set(['content-length', 'host', 'user-agent']);
  const headers = Object.fromEntries(Object.entries(seen.headers).filter(([name]) => !injected.has(name)));
  return { method: seen.method, path: seen.path, query: seen.query, headers, body: seen.body.toString('hex'), receivedAt: seen.receivedAt };
}


function idsOf(delivery: Delivery) {
  return { groupId: delivery.record.attributes.MessageGroupId, deduplicationId: delivery.record.attributes.MessageDeduplicationId };
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
    ['a Stripe JSON body with non-ASCII text and an emoji', makeStripeRequest],
    ['a Twilio form body with +, &, % and an emoji', makeTwilioRequest],
    ['a GitHub push with its delivery id', makeGitHubRequest],
    ['a Shopify order with its shop domain and webhook id', makeShopifyRequest],
    ['a Standard Webhooks JSON body', makeStandardWebhookRequest],
    ['a text body with CR, LF, tab and non-ASCII text', makeTextRequest],
    ['an XML body with quotes and entities', makeXmlRequest],
    ['unmapped header values with quotes and backslashes', makeQuotedHeadersRequest],
    ['repeated query keys (HTTP API carries no query string)', makeRepeatedQueryRequest],
  ];

  for (const [name, makeRequest] of realWorld) {
    it(`replays ${name} into the app byte for byte, with the route's message ids`, async () => {
      const request = makeRequest();

      const delivery = await roundTrip.deliver(sendMessageFor(request));

      expect(actualView(delivery)).to.deep.equal(expectedView(request));
      expect(idsOf(delivery)).to.deep.equal(messageIds(request.path, lowerCase(request.headers), request.requestId));
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

  it('maps at most 10 message attributes per integration, with the ones the worker requires', () => {
    const integrations = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')).filter((i) => i.Properties?.IntegrationSubtype === 'SQS-SendMessage');

    const problems = integrations.flatMap((integration) => {
      const names = Object.keys(JSON.parse(String((integration.Properties?.RequestParameters as Record<string, unknown>).MessageAttributes)) as object);
      const missing = ['source', 'method', 'path', 'requestTime'].filter((name) => !names.includes(name));
      return [...(names.length > 10 ? [`${names.length} attributes`] : []), ...missing.map((name) => `no ${name}`)];
    });

    expect(integrations).to.have.length.above(1);
    expect(problems).to.deep.equal([]);
  });

  it('refuses an empty body: SQS takes no empty message (REST carries it)', async () => {
    const send = sendMessageFor(makeEmptyRequest());

    const error = await roundTrip.deliver(send).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(SqsRefusal);
    expect((error as SqsRefusal).problems).to.deep.equal(['MessageBody must not be empty']);
  });

  it('refuses a mapped header value with a double quote rather than altering it', () => {
    const request = makeStripeRequest();
    request.headers['Stripe-Signature'] = 't=1,v1="abc"';

    expect(() => sendMessageFor(request)).to.throw(GatewayRefusal, /MessageAttributes is not JSON/);
  });

  it('carries the request time in epoch milliseconds, as the REST envelope does', async () => {
    const request = makeStripeRequest();

    const delivery = await roundTrip.deliver(sendMessageFor(request));

    expect(delivery.record.messageAttributes.requestTime).to.deep.include({ dataType: 'Number', stringValue: String(Math.floor(request.requestTime / 1000) * 1000) });
  });

  it('keeps the gateway-made attributes when a header value injects attributes of the same name', async () => {
    const request = makeStripeRequest();
    request.headers['Stripe-Signature'] =
      't=1,v1=abc"}, "requestTime": {"DataType": "Number", "StringValue": "1"}, "path": {"DataType": "String", "StringValue": "/elsewhere"}, "h.x": {"DataType": "String", "StringValue": "x';

    const delivery = await roundTrip.deliver(sendMessageFor(request));

    expect(delivery.seen?.receivedAt).to.equal(Math.floor(request.requestTime / 1000) * 1000);
    expect(delivery.seen?.path).to.equal('/webhook/stripe');
  });

  it('refuses a request without a mapped header (SQS takes no empty attribute value)', async () => {
    const request = makeGitHubRequest();
    delete request.headers['X-GitHub-Delivery'];

    const error = await roundTrip.deliver(sendMessageFor(request)).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(SqsRefusal);
    expect((error as SqsRefusal).problems).to.deep.equal(['attribute h.x-github-delivery must have a non-empty value']);
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
      it(`match messageIds() for ${route.path}, deduplicating by request id alone`, () => {
        const headers = Object.fromEntries(
          [...deliveryIdHeaders, route.groupHeader].filter((h): h is string => !!h).map((h) => [h.toUpperCase(), `${h}-value`]),
        );
        const request = makeGatewayRequest({ path: route.path, headers });

        const send = sendMessageFor(request);

        expect({ groupId: send.MessageGroupId, deduplicationId: send.MessageDeduplicationId }).to.deep.equal(messageIds(route.path, lowerCase(headers), request.requestId));
        expect(send.MessageDeduplicationId).to.equal(request.requestId);
      });
    }
  });
});
