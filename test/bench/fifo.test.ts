import { expect } from 'chai';
import { perEntity, perRoute } from '../../bench/fifo-groupings.ts';
import { awsModel, runMix } from '../../bench/fifo.ts';
import type { FifoModelOptions } from '../../bench/fifo-model.ts';
import type { Mix, MixWebhook } from '../../bench/fifo-mixes.ts';
import { loadTemplate, resource } from '../infra/helpers/cloudformation-yaml.ts';

const options: FifoModelOptions = { maxConcurrency: 10, batchSize: 10, receive: 'sqs', visibilityTimeoutMs: 1_000, maxReceiveCount: 2, serviceMs: 10, invokeMs: 0, ackMs: 0 };

function makeWebhook(overrides: Partial<MixWebhook> = {}): MixWebhook {
  return { at: 0, provider: 'stripe', entity: 'in_1', fails: false, ...overrides };
}

// A poison object's webhook sent first, then two about other objects.
const clean: Mix = { name: 'clean', description: '', webhooks: [makeWebhook({ entity: 'in_p' }), makeWebhook({ entity: 'in_a' }), makeWebhook({ entity: 'in_b' })] };
const poisoned: Mix = { ...clean, name: 'poisoned', webhooks: clean.webhooks.map((w) => ({ ...w, fails: w.entity === 'in_p' })), poison: { provider: 'stripe', entity: 'in_p' } };
const unrelated = (w: MixWebhook) => w.entity !== 'in_p';

describe('runMix', () => {
  it('per route, sends the webhooks skipped behind the poison to the DLQ with it', () => {
    const base = runMix(clean, perRoute, options, unrelated);

    const { figures } = runMix(poisoned, perRoute, options, unrelated, base.result);

    // Received at 0 and 1000 (two receives), moved at 2000 with the two queued behind it.
    expect([figures.innocentInDlq, figures.poisonResolvedMs, figures.latency]).to.deep.equal([2, 2_000, undefined]);
  });

  it('per entity, measures the unrelated webhooks against the same traffic without the poison', () => {
    const base = runMix(clean, perEntity, options, unrelated);

    const { figures } = runMix(poisoned, perEntity, options, unrelated, base.result);

    // One batch of three groups: the poison's 5xx takes its 10 ms, then the others run.
    expect(base.figures.latency).to.deep.equal({ p50: 20, p99: 30, max: 30 });
    expect(figures.latency).to.deep.equal({ p50: 20, p99: 30, max: 30 });
    expect(figures.extra).to.deep.equal({ p50: 0, p99: 0, max: 0 });
    expect([figures.innocentInDlq, figures.drainMs, figures.poisonResolvedMs]).to.deep.equal([0, 30, 2_000]);
  });
});

describe('groupings', () => {
  it('puts a route in one group (a shop for Shopify), or each entity in the group the route table gives it', () => {
    const shopify = makeWebhook({ provider: 'shopify', shop: 'a.myshopify.com', entity: 'gid://shopify/Order/1' });
    const others = [makeWebhook({ provider: 'github', entity: 'R_kgDO1' }), makeWebhook({ provider: 'twilio', entity: 'SM1' }), makeWebhook({ provider: 'standard', entity: '' })];

    expect([makeWebhook(), shopify, ...others].map(perRoute)).to.deep.equal(['/webhook/stripe', '/webhook/shopify#a.myshopify.com', '/webhook/github', '/webhook/twilio', '/webhook/standard']);
    expect([makeWebhook(), shopify, ...others].map(perEntity)).to.deep.equal([
      '/webhook/stripe#in_1',
      '/webhook/shopify#a.myshopify.com#gid://shopify/Order/1',
      '/webhook/github#R_kgDO1',
      '/webhook/twilio#SM1',
      '/webhook/standard',
    ]);
  });
});

describe('awsModel', () => {
  it("models the deployed queue: infra/service.yaml's visibility timeout, maxReceiveCount and batch size", () => {
    const template = loadTemplate('infra/service.yaml');
    const queue = resource(template, 'WebhookQueue').Properties ?? {};
    const mapping = resource(template, 'WorkerEventSource').Properties ?? {};

    expect([awsModel.visibilityTimeoutMs, awsModel.maxReceiveCount, awsModel.batchSize]).to.deep.equal([
      Number(queue.VisibilityTimeout) * 1000,
      (queue.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount,
      mapping.BatchSize,
    ]);
  });
});
