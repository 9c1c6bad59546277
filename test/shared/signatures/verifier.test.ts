import { expect } from 'chai';
import { SignatureError } from '../../../shared/signatures/errors.ts';
import { checkTimestamp, matchesAny, requireHeader, safeEqual } from '../../../shared/signatures/verifier.ts';
import { makeSignedRequest } from '../../../factories/signatures.ts';

describe('safeEqual', () => {
  it('is true only for identical strings, whatever their lengths', () => {
    const verdicts = [safeEqual('abc', 'abc'), safeEqual('abc', 'abd'), safeEqual('abc', 'abcd'), safeEqual('', ''), safeEqual('é', 'e')];

    expect(verdicts).to.deep.equal([true, false, false, true, false]);
  });
});

describe('matchesAny', () => {
  it('is true when any presented signature equals any expected one', () => {
    const verdicts = [matchesAny(['x', 'b'], ['a', 'b']), matchesAny(['x', 'y'], ['a', 'b']), matchesAny([], ['a']), matchesAny(['a'], [])];

    expect(verdicts).to.deep.equal([true, false, false, false]);
  });
});

describe('requireHeader', () => {
  it('returns a present header and rejects a missing one with signature_missing', () => {
    const request = makeSignedRequest({ headers: { 'X-Sig': 'v' } });

    expect(requireHeader(request, 'x-sig')).to.equal('v');
    expect(() => requireHeader(request, 'x-other'))
      .to.throw(SignatureError, 'The x-other header is missing')
      .with.property('code', 'signature_missing');
  });
});

describe('checkTimestamp', () => {
  const receivedAt = 1_764_000_000_000;

  it('accepts timestamps up to the tolerance before or after the receive time', () => {
    expect(() => checkTimestamp('1763999700', receivedAt, 300)).not.to.throw();
    expect(() => checkTimestamp('1764000300', receivedAt, 300)).not.to.throw();
  });

  it('rejects a timestamp one second past the tolerance with timestamp_out_of_tolerance', () => {
    expect(() => checkTimestamp('1763999699', receivedAt, 300))
      .to.throw(SignatureError, 'The signature timestamp is 301 s away from the time the request was received (tolerance 300 s)')
      .with.property('code', 'timestamp_out_of_tolerance');
  });

  for (const raw of ['', '-5', '1764000000.5', '1e9', 'now']) {
    it(`rejects "${raw}" with timestamp_invalid`, () => {
      expect(() => checkTimestamp(raw, receivedAt, 300))
        .to.throw(SignatureError, `The signature timestamp "${raw}" is not Unix seconds`)
        .with.property('code', 'timestamp_invalid');
    });
  }
});
