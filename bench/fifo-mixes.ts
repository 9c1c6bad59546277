// The webhook mixes `npm run bench:fifo` replays through the FIFO model (issue 12): a Stripe
// month-end burst, the same with one poison object, and a steady mix over every queued
// provider. Seeded, so every run replays the same traffic.
import { makeRandom } from '../factories/random.ts';

type Provider = 'stripe' | 'github' | 'twilio' | 'shopify' | 'standard';

export interface MixWebhook {
  /** Arrival time, in milliseconds from the start of the mix. */
  at: number;
  provider: Provider;
  /** The object the webhook is about; `shop` too for Shopify. */
  entity: string;
  shop?: string;
  /** Belongs to the poison object: the app answers 5xx to it every time. */
  fails: boolean;
}

export interface Mix {
  name: string;
  description: string;
  webhooks: MixWebhook[];
  /** The entity whose webhooks fail, if any; the others of its provider are "unrelated". */
  poison?: { provider: Provider; entity: string };
}

const stripeObject = (n: number) => `in_${n.toString(36).padStart(6, '0')}Bench`;

/**
 * `events` Stripe events about `objects` objects (each object's events in its lifecycle order,
 * objects interleaved at random) sent within `spreadMs`: a month-end invoicing run.
 */
export function stripeBurst(options: { events?: number; objects?: number; spreadMs?: number; seed?: number; poison?: boolean } = {}): Mix {
  const { events = 10_000, objects = 2_000, spreadMs = 1_000, seed = 12, poison = false } = options;
  const random = makeRandom(seed);
  // Each object's events in order: deal the objects' slots out, then shuffle which object goes next.
  const slots = Array.from({ length: events }, (_, i) => i % objects);
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  const poisonObject = stripeObject(Math.floor(objects / 2));
  const webhooks = slots.map((object, i) => {
    const entity = stripeObject(object);
    return { at: (i * spreadMs) / events, provider: 'stripe' as const, entity, fails: poison && entity === poisonObject };
  });
  return {
    name: poison ? 'stripe burst, one poison object' : 'stripe burst',
    description: `${events.toLocaleString('en-US')} Stripe events over ${objects.toLocaleString('en-US')} objects in ${spreadMs / 1000} s${poison ? `; every event of one object answers 5xx` : ''}`,
    webhooks,
    ...(poison ? { poison: { provider: 'stripe' as const, entity: poisonObject } } : {}),
  };
}

/** Share of traffic, entity pool and popularity skew of each provider in the steady mix. */
const steadyShares: { provider: Provider; share: number; entities: number; zipf: number }[] = [
  // Invoices, payment intents, customers: many objects, a few events each.
  { provider: 'stripe', share: 0.4, entities: 2_000, zipf: 0 },
  // Repositories: few, some much busier than others.
  { provider: 'github', share: 0.2, entities: 30, zipf: 1 },
  // Message SIDs: each gets its status callbacks (queued, sent, delivered).
  { provider: 'twilio', share: 0.25, entities: 4_000, zipf: 0 },
  // Orders and products of three shops.
  { provider: 'shopify', share: 0.1, entities: 600, zipf: 0 },
  // A Standard Webhooks sender with no ordering key configured: one group.
  { provider: 'standard', share: 0.05, entities: 1, zipf: 0 },
];

/**
 * A steady Poisson stream of `perSecond` webhooks for `seconds` over every queued provider; with
 * `poison`, every webhook about one Stripe object answers 5xx.
 */
export function steadyMix(options: { perSecond?: number; seconds?: number; seed?: number; poison?: boolean } = {}): Mix {
  const { perSecond = 40, seconds = 300, seed = 7, poison = false } = options;
  const random = makeRandom(seed);
  const total = steadyShares.reduce((sum, s) => sum + s.share, 0);
  const pick = () => {
    let r = random() * total;
    for (const share of steadyShares) if ((r -= share.share) < 0) return share;
    return steadyShares[0]!;
  };
  const zipfPick = (n: number, s: number) => {
    if (s === 0) return Math.floor(random() * n);
    // Inverse-CDF over the harmonic weights; n is small where s > 0.
    const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s);
    let r = random() * weights.reduce((a, b) => a + b, 0);
    for (let k = 0; k < n; k++) if ((r -= weights[k]!) < 0) return k;
    return n - 1;
  };
  const poisonObject = stripeObject(0);
  const webhooks: MixWebhook[] = [];
  for (let at = -Math.log(1 - random()) * (1000 / perSecond); at < seconds * 1000; at += -Math.log(1 - random()) * (1000 / perSecond)) {
    const share = pick();
    const k = zipfPick(share.entities, share.zipf);
    const webhook: MixWebhook = { at, provider: share.provider, entity: entityName(share.provider, k), fails: false };
    if (share.provider === 'shopify') webhook.shop = `shop-${k % 3}.myshopify.com`;
    webhook.fails = poison && webhook.provider === 'stripe' && webhook.entity === poisonObject;
    webhooks.push(webhook);
  }
  return {
    name: poison ? 'steady mix, one poison object' : 'steady mix',
    description: `${perSecond}/s for ${seconds} s over all queued providers (Stripe 40 %, Twilio 25 %, GitHub 20 %, Shopify 10 %, Standard 5 %)${poison ? '; every event of one Stripe object answers 5xx' : ''}`,
    webhooks,
    ...(poison ? { poison: { provider: 'stripe' as const, entity: poisonObject } } : {}),
  };
}

function entityName(provider: Provider, k: number): string {
  switch (provider) {
    case 'stripe':
      return stripeObject(k);
    case 'github':
      return `R_kgDOBench${k}`;
    case 'twilio':
      return `SM${k.toString(16).padStart(32, '0')}`;
    case 'shopify':
      return `gid://shopify/Order/${1000 + k}`;
    case 'standard':
      return '';
  }
}
