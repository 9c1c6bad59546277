import { expect } from 'chai';
import { setDataProperty } from '../../shared/data-property.ts';

describe('setDataProperty', () => {
  it('sets a key as an own enumerable property, in insertion order', () => {
    const record: Record<string, unknown> = {};
    setDataProperty(record, 'b', 1);
    setDataProperty(record, 'a', 2);
    setDataProperty(record, 'b', 3);
    expect(Object.entries(record)).to.deep.equal([['b', 3], ['a', 2]]);
  });

  it('keeps __proto__ as a plain key and leaves the prototype alone', () => {
    const record: Record<string, unknown> = {};
    setDataProperty(record, '__proto__', 'x');
    setDataProperty(record, 'constructor', 'y');
    expect(Object.getPrototypeOf(record)).to.equal(Object.prototype);
    expect(Object.entries(record)).to.deep.equal([['__proto__', 'x'], ['constructor', 'y']]);
    expect(Object.entries(record)).to.deep.equal(Object.entries(Object.fromEntries([['__proto__', 'x'], ['constructor', 'y']])));
  });
});
