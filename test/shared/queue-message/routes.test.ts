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

  it('dedupes on the provider delivery id, scoped to the route', () => {
    const ids = messageIds('/webhook/github', { 'x-github-delivery': '72d3162e-cc78' }, 'req-2');

    expect(ids).to.deep.equal({ groupId: '/webhook/github', deduplicationId: '/webhook/github#72d3162e-cc78' });
  });

  it('orders by the finer key a route names when the provider sends it', () => {
    const ids = messageIds('/webhook/shopify', { 'x-shopify-shop-domain': 'shop.example', 'x-shopify-webhook-id': 'w1' }, 'req-3');

    expect(ids).to.deep.equal({ groupId: '/webhook/shopify#shop.example', deduplicationId: '/webhook/shopify#w1' });
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
