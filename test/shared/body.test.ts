import { expect } from 'chai';
import fc from 'fast-check';
import { inject } from 'light-my-request';
import { parseForm } from '../../shared/body.ts';
import { makeApp } from '../../factories/app.ts';
import { expectLinear, measureGrowth } from '../helpers/linear-cost.ts';

describe('parseForm', () => {
  it('decodes +, %-escapes and repeated keys in order', () => {
    const form = parseForm('Body=1%2B1+%3D+2&To=%2B15550001111&tag=a&tag=b&tag=c');

    expect({ ...form }).to.deep.equal({ Body: '1+1 = 2', To: '+15550001111', tag: ['a', 'b', 'c'] });
  });

  it('keeps a key named __proto__ as a plain key', () => {
    const form = parseForm('__proto__=x&constructor=y');

    expect(Object.getPrototypeOf(form)).to.equal(null);
    expect(form.__proto__).to.equal('x');
    expect(form.constructor).to.equal('y');
  });

  // 2,500 and 20,000 pairs (10 and 80 KB): large enough that a quadratic term would dominate, as it did before.
  it('costs linear time in the number of pairs, for one key repeated or all keys distinct', function () {
    this.timeout(60_000);
    expectLinear('one key repeated', (n) => 'k=v&'.repeat(n), parseForm, 2500);
    expectLinear('distinct keys', (n) => Array.from({ length: n }, (_, i) => `k${i}=v`).join('&'), parseForm, 2500);
  });

  it('tells the quadratic parser it replaced from a linear one (the check can fail)', function () {
    this.timeout(60_000);
    const copying = (text: string) => {
      const form: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
      for (const [key, value] of new URLSearchParams(text)) {
        const seen = form[key];
        form[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
      }
      return form;
    };

    expect(measureGrowth((n) => 'k=v&'.repeat(n), copying, 2000, 3).ratio).to.be.above(32);
  });

  it('keeps every pair of any text, in order, and never throws', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), { maxLength: 30 }), (pairs) => {
        const form = parseForm(new URLSearchParams(pairs).toString());

        const expected = new Map<string, string[]>();
        for (const [key, value] of new URLSearchParams(new URLSearchParams(pairs).toString())) expected.set(key, [...(expected.get(key) ?? []), value]);
        expect(Object.keys(form)).to.deep.equal([...expected.keys()]);
        for (const [key, values] of expected) expect(form[key]).to.deep.equal(values.length === 1 ? values[0] : values);
      }),
    );
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (text) => void parseForm(text)));
  });
});

describe('bodyReader', () => {
  it('answers 400 body_length_mismatch when Content-Length promises more than arrives', async () => {
    const { app } = makeApp();

    const res = await inject(app.callback(), { method: 'POST', url: '/webhook', headers: { 'content-type': 'text/plain', 'content-length': '10' }, payload: 'short' });

    expect(res.statusCode).to.equal(400);
    expect(res.json().error.code).to.equal('body_length_mismatch');
  });

  it('answers 413 from Content-Length alone, before reading the body', async () => {
    const { app } = makeApp({ bodyLimit: 4 });

    const res = await inject(app.callback(), { method: 'POST', url: '/webhook', headers: { 'content-type': 'text/plain', 'content-length': '5' }, payload: 'hello' });

    expect(res.statusCode).to.equal(413);
  });

  it('gives an empty rawBody to a request without a body', async () => {
    const { app } = makeApp();

    const res = await inject(app.callback(), { method: 'POST', url: '/webhook' });

    expect(res.json()).to.include({ bytes: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
  });
});
