import { expect } from 'chai';
import fc from 'fast-check';
import { querySpellings } from '../../../shared/signatures/query-spellings.ts';
import { expectLinear } from '../../helpers/linear-cost.ts';

const pairsOf = (query: string) => [...new URLSearchParams(query)];

describe('querySpellings', () => {
  it('includes the spelling a user typed for the common query shapes, from decoded pairs alone', () => {
    const typed = ['tenant=acme:eu', 'cb=a%20b', 'debug', 'ids=1,2', 'a=1&b=x+y', 'q=a/b?c@d', 'e=caf%C3%A9'];

    const found = typed.filter((query) => querySpellings(pairsOf(query)).includes(query));

    expect(found).to.deep.equal(typed);
  });

  it('gives at most six spellings, each decoding to the same pairs, for any pairs', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' })), { maxLength: 8 }), (pairs) => {
        const decoded = pairsOf(new URLSearchParams(pairs).toString());

        const spellings = querySpellings(decoded);

        expect(spellings.length).to.be.within(1, 6);
        for (const spelling of spellings) expect(pairsOf(spelling)).to.deep.equal(decoded);
      }),
    );
  });

  it('costs linear time in the length of the pairs', function () {
    this.timeout(60_000);
    expectLinear('many pairs', (n) => Array.from({ length: n }, (_, i): [string, string] => [`k${i}`, 'a b:c']), querySpellings, 2000);
    expectLinear('one long value', (n) => [['k', 'é: /'.repeat(n)] as [string, string]], querySpellings);
  });
});
