import { expect } from 'chai';
import { median, percentile, ratio } from '../../bench/stats.ts';

describe('percentile', () => {
  it('takes the nearest rank of unsorted samples', () => {
    const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];

    expect([percentile(samples, 0), percentile(samples, 50), percentile(samples, 90), percentile(samples, 99), percentile(samples, 100)]).to.deep.equal([1, 5, 9, 10, 10]);
  });

  it('rejects no samples', () => {
    expect(() => percentile([], 50)).to.throw(Error, 'percentile of no samples');
  });
});

describe('median', () => {
  it('is the middle sample, not the mean, so one outlier does not move it', () => {
    expect(median([100, 101, 99, 5000, 102])).to.equal(101);
  });
});

describe('ratio', () => {
  it('rounds to two decimals', () => {
    expect(ratio(150, 91)).to.equal(1.65);
  });
});
