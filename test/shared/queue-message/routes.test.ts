import { expect } from 'chai';
import { isQueuedPath, messageIds, toSqsId } from '../../../shared/queue-message/routes.ts';

describe('isQueuedPath', () => {
  it('queues /webhook and its sub-paths but not Slack, which must answer its challenge synchronously', () => {
    const paths = ['/webhook', '/webhook/stripe', '/webhook/unknown-provider', '/webhook/slack', '/webhooks', '/api/webhook', '/'];

    const queued = paths.filter(isQueuedPath);

    expect(queued).to.deep.equal(['/webhook', '/webhook/stripe', '/webhook/unknown-provider']);
  });
});

describe('messageIds', () => {
  it('uses one group per route and the request id when the route has no delivery id', () => {
    expect(messageIds('/webhook/stripe', {}, 'req-1')).to.deep.equal({ groupId: '/webhook/stripe', deduplicationId: 'req-1' });
  });

  it('never takes the dedup id from a delivery-id header, which no signature covers', () => {
    const headers = {
      'x-github-delivery': '72d3162e-cc78',
      'x-shopify-webhook-id': 'w1',
      'i-twilio-idempotency-token': 't1',
      'webhook-id': 'msg_1',
      'svix-id': 'msg_1',
    };

    const ids = ['/webhook', '/webhook/github', '/webhook/shopify', '/webhook/twilio', '/webhook/standard', '/webhook/stripe'].map(
      (path) => messageIds(path, headers, 'req-2').deduplicationId,
    );

    expect(ids).to.deep.equal(['req-2', 'req-2', 'req-2', 'req-2', 'req-2', 'req-2']);
  });

  it('orders by the finer key a route names when the provider sends it', () => {
    const ids = messageIds('/webhook/shopify', { 'x-shopify-shop-domain': 'shop.example', 'x-shopify-webhook-id': 'w1' }, 'req-3');

    expect(ids).to.deep.equal({ groupId: '/webhook/shopify#shop.example', deduplicationId: 'req-3' });
  });

  it('falls back to the route group when the finer key is missing', () => {
    expect(messageIds('/webhook/shopify', {}, 'req-4').groupId).to.equal('/webhook/shopify');
  });
});

describe('toSqsId', () => {
  it('replaces each character SQS refuses by one underscore per code point', () => {
    expect(toSqsId('a b💸é')).to.equal('a_b__');
  });

  it('cuts ids to the 128 characters SQS allows', () => {
    expect(toSqsId('x'.repeat(200))).to.have.length(128);
  });
});
