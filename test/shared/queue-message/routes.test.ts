import { expect } from 'chai';
import { isQueuedPath, messageIds, toSqsId } from '../../../shared/queue-message/routes.ts';
import { javaStringHash } from '../../../shared/queue-message/ordering-key.ts';

function makeKeyedRequest(overrides: { path?: string; headers?: Record<string, string>; body?: string | object } = {}) {
  const { path = '/webhook/stripe', body = '' } = overrides;
  // An object body is sent as JSON, as providers send it (a JSON field is read from JSON only).
  const headers = { ...(typeof body === 'string' ? {} : { 'content-type': 'application/json' }), ...overrides.headers };
  return { path, headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8') };
}

describe('isQueuedPath', () => {
  it('queues /webhook and its sub-paths but not Slack, which must answer its challenge synchronously', () => {
    const paths = ['/webhook', '/webhook/stripe', '/webhook/unknown-provider', '/webhook/slack', '/webhooks', '/api/webhook', '/'];

    const queued = paths.filter(isQueuedPath);

    expect(queued).to.deep.equal(['/webhook', '/webhook/stripe', '/webhook/unknown-provider']);
  });
});

describe('messageIds', () => {
  it('never takes the dedup id from a delivery-id header, which no signature covers', () => {
    const headers = {
      'x-github-delivery': '72d3162e-cc78',
      'x-shopify-webhook-id': 'w1',
      'i-twilio-idempotency-token': 't1',
      'webhook-id': 'msg_1',
      'svix-id': 'msg_1',
    };

    const ids = ['/webhook', '/webhook/github', '/webhook/shopify', '/webhook/twilio', '/webhook/standard', '/webhook/stripe'].map(
      (path) => messageIds(makeKeyedRequest({ path, headers }), 'req-2').deduplicationId,
    );

    expect(ids).to.deep.equal(['req-2', 'req-2', 'req-2', 'req-2', 'req-2', 'req-2']);
  });

  describe('orders each provider by the entity a webhook is about', () => {
    const cases: [string, ReturnType<typeof makeKeyedRequest>, string][] = [
      ['a Stripe event by its object', makeKeyedRequest({ body: { id: 'evt_1', type: 'invoice.paid', data: { object: { id: 'in_1', object: 'invoice' } } } }), '/webhook/stripe#in_1'],
      [
        'a Stripe Connect event by account and object',
        makeKeyedRequest({ body: { id: 'evt_2', account: 'acct_9', data: { object: { id: 'pi_1' } } } }),
        '/webhook/stripe#acct_9#pi_1',
      ],
      ['a Stripe Connect event about an object without an id by its account', makeKeyedRequest({ body: { account: 'acct_9', data: { object: { object: 'balance' } } } }), '/webhook/stripe#acct_9'],
      [
        'a GitHub event by its repository',
        makeKeyedRequest({ path: '/webhook/github', body: { repository: { id: 1296269, node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5' }, organization: { node_id: 'O_1' } } }),
        '/webhook/github#MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
      ],
      ['a GitHub organization event by its organization', makeKeyedRequest({ path: '/webhook/github', body: { organization: { node_id: 'O_1' }, installation: { node_id: 'I_1' } } }), '/webhook/github#O_1'],
      ['a GitHub App event by its installation', makeKeyedRequest({ path: '/webhook/github', body: { installation: { id: 1, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==' } } }), '/webhook/github#MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=='],
      [
        'a Twilio message status callback by its message',
        makeKeyedRequest({ path: '/webhook/twilio', body: 'AccountSid=AC1&MessageSid=SM0123456789abcdef0123456789abcdef&MessageStatus=delivered' }),
        '/webhook/twilio#SM0123456789abcdef0123456789abcdef',
      ],
      ['a Twilio call status callback by its call', makeKeyedRequest({ path: '/webhook/twilio', body: 'CallSid=CA42&CallStatus=completed' }), '/webhook/twilio#CA42'],
      [
        'a Shopify order by shop and resource',
        makeKeyedRequest({ path: '/webhook/shopify', headers: { 'x-shopify-shop-domain': 'shop.myshopify.com' }, body: { id: 820982911946154500, admin_graphql_api_id: 'gid://shopify/Order/820982911946154508' } }),
        '/webhook/shopify#shop.myshopify.com#gid://shopify/Order/820982911946154508',
      ],
      ['a Shopify topic without a resource id by its shop', makeKeyedRequest({ path: '/webhook/shopify', headers: { 'x-shopify-shop-domain': 'shop.myshopify.com' }, body: { shop_id: 1 } }), '/webhook/shopify#shop.myshopify.com'],
    ];
    for (const [name, request, groupId] of cases) {
      it(name, () => {
        expect(messageIds(request, 'req-1')).to.deep.equal({ groupId, deduplicationId: 'req-1' });
      });
    }
  });

  it("keeps the route's group when the entity is missing or not a string id", () => {
    const requests = [
      makeKeyedRequest({ body: '' }),
      makeKeyedRequest({ body: 'not json {' }),
      makeKeyedRequest({ body: '{"data":{"object":{"id":' }),
      makeKeyedRequest({ body: { data: { object: { id: 42 } } } }),
      makeKeyedRequest({ body: { data: { object: { id: '' } } } }),
      makeKeyedRequest({ body: { data: [{ object: { id: 'in_1' } }] } }),
      makeKeyedRequest({ body: [{ data: { object: { id: 'in_1' } } }] }),
      makeKeyedRequest({ path: '/webhook/twilio', body: 'MessageSid=SM%201&CallSid=' }),
      makeKeyedRequest({ path: '/webhook/twilio', body: '{"MessageSid":"SM1"}' }),
    ];

    expect(requests.map((request) => messageIds(request, 'r').groupId)).to.deep.equal([...Array(7).fill('/webhook/stripe'), '/webhook/twilio', '/webhook/twilio']);
  });

  it('orders the generic route, Standard Webhooks and unknown sub-paths by route alone', () => {
    const body = { id: 'x', data: { object: { id: 'in_1' } }, repository: { node_id: 'R_1' } };

    const groups = ['/webhook', '/webhook/standard', '/webhook/acme'].map((path) => messageIds(makeKeyedRequest({ path, body }), 'r').groupId);

    expect(groups).to.deep.equal(['/webhook', '/webhook/standard', '/webhook/acme']);
  });
});

describe('toSqsId', () => {
  it('replaces each character SQS refuses by one underscore per code point', () => {
    expect(toSqsId('a b💸é')).to.equal('a_b__');
  });

  it('bounds a long id to 128 characters with a hash of the whole, so long ids that share a prefix differ', () => {
    const a = toSqsId(`${'x'.repeat(150)}a`);
    const b = toSqsId(`${'x'.repeat(150)}b`);

    expect([a.length <= 128, b.length <= 128, a === b, a.slice(0, 117)]).to.deep.equal([true, true, false, `${'x'.repeat(116)}~`]);
    expect(toSqsId('y'.repeat(128))).to.equal('y'.repeat(128));
  });
});

describe('javaStringHash', () => {
  it("is Java's String.hashCode", () => {
    // Known values: "".hashCode() == 0, "hello".hashCode() == 99162322, and one that overflows to a negative int.
    expect([javaStringHash(''), javaStringHash('hello'), javaStringHash('polygenelubricants')]).to.deep.equal([0, 99162322, -2147483648]);
  });
});
