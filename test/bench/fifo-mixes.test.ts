import { expect } from 'chai';
import { steadyMix, stripeBurst } from '../../bench/fifo-mixes.ts';

describe('stripeBurst', () => {
  it('sends the issue burst: 10,000 events, 5 for each of 2,000 objects, within a second', () => {
    const mix = stripeBurst();

    const perObject = new Map<string, number>();
    for (const w of mix.webhooks) perObject.set(w.entity, (perObject.get(w.entity) ?? 0) + 1);
    expect([mix.webhooks.length, perObject.size, new Set(perObject.values())]).to.deep.equal([10_000, 2_000, new Set([5])]);
    expect(mix.webhooks.every((w, i) => w.at >= 0 && w.at < 1_000 && (i === 0 || w.at >= mix.webhooks[i - 1]!.at))).to.equal(true);
  });

  it('with a poison object, fails exactly that object, and is the same traffic otherwise', () => {
    const clean = stripeBurst();
    const poisoned = stripeBurst({ poison: true });

    const failing = poisoned.webhooks.filter((w) => w.fails);
    expect(failing.map((w) => w.entity)).to.deep.equal(Array.from({ length: 5 }, () => poisoned.poison?.entity));
    expect(poisoned.webhooks.map(({ fails: _, ...w }) => w)).to.deep.equal(clean.webhooks.map(({ fails: _, ...w }) => w));
  });
});

describe('steadyMix', () => {
  it('sends about perSecond webhooks a second over every queued provider, the same every run', () => {
    const mix = steadyMix({ perSecond: 40, seconds: 300 });

    const share = (provider: string) => mix.webhooks.filter((w) => w.provider === provider).length / mix.webhooks.length;
    expect(mix.webhooks.length).to.be.within(11_400, 12_600);
    expect([share('stripe'), share('twilio'), share('github'), share('shopify'), share('standard')].map((s) => Math.round(s * 20) / 20)).to.deep.equal([0.4, 0.25, 0.2, 0.1, 0.05]);
    expect(steadyMix({ perSecond: 40, seconds: 300 }).webhooks).to.deep.equal(mix.webhooks);
  });

  it('with a poison object, fails only the webhooks about that Stripe object', () => {
    const mix = steadyMix({ poison: true });

    const failing = mix.webhooks.filter((w) => w.fails);
    expect(failing.length).to.be.greaterThan(0);
    expect(failing.every((w) => w.provider === 'stripe' && w.entity === mix.poison?.entity)).to.equal(true);
  });
});
