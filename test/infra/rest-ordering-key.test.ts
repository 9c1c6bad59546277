import { expect } from 'chai';
import fc from 'fast-check';
import { messageIds, queueRoutes } from '../../shared/queue-message/routes.ts';
import {
  makeGitHubEvent,
  makeShopifyWebhook,
  makeStandardWebhook,
  makeStripeEvent,
  makeTwilioCallback,
  type ProviderPayload,
} from '../../factories/provider-payloads.ts';
import { renderRestTemplate, TransformFailure } from './helpers/api-gateway-vtl.ts';
import { findInMap, loadTemplate } from './helpers/cloudformation-yaml.ts';
import { restOrderingKeysLine } from './helpers/ordering-templates.ts';
import { parseSendMessageForm } from './helpers/sqs-form.ts';
import { makeGatewayRequest } from './helpers/webhook-requests.ts';

// The REST API request template's message group against messageIds() (shared/queue-message/
// routes.ts), the template rendered from infra/service.yaml as API Gateway would: on payloads
// shaped after each provider's documentation, on hostile ones, and line for line against the
// route table.
const template = loadTemplate('infra/service.yaml');
const envelopeTemplate = findInMap(template, { 'Fn::FindInMap': ['RestApiTemplates', 'SendMessage', 'Envelope'] }) as string;

function templateGroup(payload: ProviderPayload): string {
  // Header names as a client may send them: the template looks them up case-insensitively.
  const headers = Object.fromEntries(Object.entries(payload.headers).map(([name, value]) => [name.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase()), value]));
  const request = makeGatewayRequest({ path: payload.path, headers, body: Buffer.from(payload.body, 'utf8') });
  const form = parseSendMessageForm(renderRestTemplate(envelopeTemplate, request, payload.path === '/webhook' ? '/webhook' : '/webhook/{proxy+}'));
  return form.MessageGroupId ?? '';
}

function codeGroup(payload: ProviderPayload): string {
  return messageIds({ path: payload.path, headers: payload.headers, body: Buffer.from(payload.body, 'utf8') }, 'request-id').groupId;
}

describe('REST API request template, ordering key', () => {
  it("writes out the route table's ordering keys, so the table stays their one source", () => {
    const line = envelopeTemplate.split('\n').find((l) => l.startsWith('#set($orderingKeys ='));

    expect(line, 'the $orderingKeys line of infra/service.yaml (RestApiTemplates.SendMessage.Envelope)').to.equal(restOrderingKeysLine(queueRoutes));
  });

  const corpus: [string, ProviderPayload, string][] = [
    ['a Stripe invoice event', makeStripeEvent({ objectId: 'in_1NG8Du2eZvKYlo2CUI79vXWy' }), '/webhook/stripe#in_1NG8Du2eZvKYlo2CUI79vXWy'],
    ['a Stripe Connect event', makeStripeEvent({ account: 'acct_1032D82eZvKYlo2C', objectId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa', type: 'payment_intent.succeeded' }), '/webhook/stripe#acct_1032D82eZvKYlo2C#pi_3MtwBwLkdIwHu7ix28a3tqPa'],
    ['a Stripe balance.available (no object id)', makeStripeEvent({ objectId: null, type: 'balance.available' }), '/webhook/stripe'],
    ['a Stripe Connect balance.available', makeStripeEvent({ objectId: null, account: 'acct_1032D82eZvKYlo2C', type: 'balance.available' }), '/webhook/stripe#acct_1032D82eZvKYlo2C'],
    ['a GitHub push', makeGitHubEvent({ repository: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5', organization: 'MDEyOk9yZ2FuaXphdGlvbjE=' }), '/webhook/github#MDEwOlJlcG9zaXRvcnkxMjk2MjY5'],
    ['a GitHub organization event', makeGitHubEvent({ event: 'organization', organization: 'MDEyOk9yZ2FuaXphdGlvbjE=', installation: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==' }), '/webhook/github#MDEyOk9yZ2FuaXphdGlvbjE='],
    ['a GitHub App installation event', makeGitHubEvent({ event: 'installation', installation: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==' }), '/webhook/github#MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg=='],
    ['a GitHub ping without any', makeGitHubEvent({ event: 'ping' }), '/webhook/github'],
    ['a Twilio message status callback', makeTwilioCallback({ messageSid: 'SM0123456789abcdef0123456789abcdef' }), '/webhook/twilio#SM0123456789abcdef0123456789abcdef'],
    ['a Twilio call status callback', makeTwilioCallback({ callSid: 'CAfedcba9876543210fedcba9876543210' }), '/webhook/twilio#CAfedcba9876543210fedcba9876543210'],
    ['a Twilio form whose first MessageSid is not an id as sent', { ...makeTwilioCallback(), body: `MessageSid=SM%2F1&MessageSid=${'S'.repeat(65)}&MessageSid=${'M'.repeat(64)}&CallSid=CA1` }, `/webhook/twilio#${'M'.repeat(64)}`],
    ['a Shopify orders/create', makeShopifyWebhook(), '/webhook/shopify#example-shop.myshopify.com#gid://shopify/Order/820982911946154508'],
    ['a Shopify shop/update (no resource id)', makeShopifyWebhook({ resource: null, topic: 'shop/update' }), '/webhook/shopify#example-shop.myshopify.com'],
    ['a Standard Webhooks message', makeStandardWebhook(), '/webhook/standard'],
    ['a Stripe-shaped body on the generic route', { ...makeStripeEvent(), path: '/webhook' }, '/webhook'],
  ];

  for (const [name, payload, group] of corpus) {
    it(`groups ${name} as messageIds() does: ${group}`, () => {
      expect([templateGroup(payload), codeGroup(payload)]).to.deep.equal([group, group]);
    });
  }

  // API Gateway may fail a request (a 400, or "Unable to transform request") when a template
  // evaluates a JSON path over a payload it cannot parse, and the VTL model does so: the template
  // must look into a body only when it says it is a JSON object, so a form, XML or text delivery is
  // never refused. https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
  it('refuses only a body labelled JSON that starts with { and is not JSON, which no provider sends', () => {
    const on = (contentType: string, body: string) => ({ path: '/webhook/stripe', headers: { 'content-type': contentType }, body });
    const outcome = (payload: ProviderPayload) => {
      try {
        return templateGroup(payload);
      } catch (error) {
        return error instanceof TransformFailure ? 'refused' : error;
      }
    };

    expect([
      outcome(on('application/json', '{"data":{"object":{"id":"in_1"}}}')),
      outcome(on('text/plain', '{"data":{"object":{"id":"in_1"}}}')),
      outcome(on('application/x-www-form-urlencoded', 'payload=%7B%7D')),
      outcome(on('application/xml', '<order/>')),
      outcome(on('application/json', '')),
      outcome(on('application/json', '[{"id":"in_1"}]')),
      outcome(on('application/json', '{"data":')),
    ]).to.deep.equal(['/webhook/stripe#in_1', '/webhook/stripe', '/webhook/stripe', '/webhook/stripe', '/webhook/stripe', '/webhook/stripe', 'refused']);
  });

  it('agrees with messageIds() on any body and header values, long and non-ASCII ones included', () => {
    const id = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.stringMatching(/^[A-Za-z0-9_]{1,200}$/));
    const jsonBody = fc.oneof(
      fc.record({ account: fc.option(id), data: fc.record({ object: fc.record({ id: fc.oneof(id, fc.integer(), fc.constant(null)) }) }) }),
      fc.record({ repository: fc.option(fc.record({ node_id: id })), organization: fc.option(fc.record({ node_id: id })), installation: fc.option(fc.record({ node_id: fc.oneof(id, fc.integer()) })) }),
      fc.record({ admin_graphql_api_id: fc.option(id), id: fc.integer() }),
      fc.jsonValue({ maxDepth: 3 }),
    ).map((value) => JSON.stringify(value) ?? '');
    const formBody = fc
      .array(fc.tuple(fc.constantFrom('MessageSid', 'CallSid', 'ConversationSid', 'Body', 'MessageSid2'), fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{0,70}$/), fc.integer({ min: 62, max: 66 }).map((n) => 'S'.repeat(n)), fc.string({ maxLength: 20 }))), { maxLength: 8 })
      .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
    const body = fc.oneof(jsonBody, formBody, fc.string({ maxLength: 100 }), jsonBody.map((text) => ` \r\n${text}`), fc.string({ maxLength: 40 }).map((text) => `{${text}`));
    const shop = fc.option(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 150 }), fc.constant('a'.repeat(140))));
    const contentType = fc.option(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.api+json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml'));
    fc.assert(
      fc.property(fc.constantFrom('/webhook/stripe', '/webhook/github', '/webhook/twilio', '/webhook/shopify', '/webhook'), body, shop, contentType, (path, text, shopDomain, type) => {
        const headers: Record<string, string> = shopDomain === null || /[\r\n\0]/.test(shopDomain) ? {} : { 'x-shopify-shop-domain': shopDomain };
        const payload = { path, headers: { ...(type === null ? {} : { 'content-type': type }), ...headers }, body: text };
        // What the template may refuse: a body that claims to be a JSON object and is not one.
        const claimsJsonObject = type !== null && type !== 'text/plain' && type.includes('json') && /^[ \t\r\n]*\{/.test(text);
        const isJsonObject = (() => {
          try {
            const value = JSON.parse(text) as unknown;
            return typeof value === 'object' && value !== null && !Array.isArray(value);
          } catch {
            return false;
          }
        })();

        let group: string;
        try {
          group = templateGroup(payload);
        } catch (error) {
          expect(error).to.be.instanceOf(TransformFailure);
          expect({ claimsJsonObject, isJsonObject }).to.deep.equal({ claimsJsonObject: true, isJsonObject: false });
          return;
        }

        expect(group).to.equal(codeGroup(payload));
        expect(group).to.match(/^[!-~]{1,128}$/);
      }),
      { numRuns: 400 },
    );
  });
});
