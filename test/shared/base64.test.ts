import { expect } from 'chai';
import fc from 'fast-check';
import { isBase64 } from '../../shared/base64.ts';

// The regular expression isBase64 replaces: the reference it must agree with.
const reference = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The fastest of several runs of `fn`, in ms: the least disturbed by a busy machine. */
function fastest(fn: () => void, runs = 9): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('isBase64', () => {
  it('accepts what Buffer writes as base64, of any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(isBase64(Buffer.from(bytes).toString('base64'))).to.equal(true);
    }));
  });

  it('agrees with the standard padded base64 pattern on any text, base64-like or hostile', () => {
    const base64ish = fc.string({ unit: fc.constantFrom(...'AZaz09+/=-_ \n\u00e9\uD83D'.split('')), maxLength: 40 });
    fc.assert(fc.property(fc.oneof(base64ish, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })), (text) => {
      expect(isBase64(text)).to.equal(reference.test(text));
    }), { numRuns: 5000 });
  });

  it('rejects padding anywhere but the end, three padding characters, and partial groups', () => {
    expect(['', 'QQ==', 'QUI=', 'QUJD'].map(isBase64)).to.deep.equal([true, true, true, true]);
    expect(['Q===', '====', 'QQ=A', 'Q=Q=', 'QUJ', 'QUJDR', 'QUJD\n', 'QUJD\u00c0AAA'].map(isBase64)).to.deep.equal(Array(8).fill(false));
  });

  it('costs time linear in the length of the text', () => {
    const n = 256 * 1024;
    const text = (length: number) => 'QUJD'.repeat(length / 4);
    const small = text(n);
    const large = text(4 * n);

    const ratio = fastest(() => isBase64(large)) / fastest(() => isBase64(small));

    expect(ratio).to.be.below(16);
  });
});
