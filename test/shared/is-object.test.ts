import { expect } from 'chai';
import { isObject } from '../../shared/is-object.ts';

describe('isObject', () => {
  it('accepts objects with named fields, JSON-parsed or not', () => {
    expect([{}, { a: 1 }, JSON.parse('{"__proto__":1}'), Object.create(null)].map(isObject)).to.deep.equal([true, true, true, true]);
  });

  it('refuses null, arrays and every other JSON value', () => {
    expect([null, undefined, [], [1], 'text', 1, true].map(isObject)).to.deep.equal([false, false, false, false, false, false, false]);
  });
});
