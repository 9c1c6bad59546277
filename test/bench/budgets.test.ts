import { expect } from 'chai';
import { checkBudgets } from '../../bench/budgets.ts';
import type { Figure } from '../../bench/report.ts';

const coldStart: Figure = { id: 'coldStart.http', part: 'cold start', label: 'dist/http.mjs', value: 120, unit: 'ms', floor: 100, ratio: 1.2, target: 1.5 };
const lost: Figure = { id: 'pipeline.lost', part: 'local pipeline', label: 'lost', value: 2, unit: '', target: 0 };

describe('checkBudgets', () => {
  it('bounds the ratio of a figure with a floor and the value of one without', () => {
    const budgets = { 'coldStart.http': { max: 1.5, why: 'target' }, 'pipeline.lost': { max: 0, why: 'none lost' } };

    const verdicts = checkBudgets([coldStart, lost], budgets);

    expect(verdicts).to.deep.equal([
      { id: 'coldStart.http', actual: 1.2, shown: '1.2×', budget: budgets['coldStart.http'], ok: true },
      { id: 'pipeline.lost', actual: 2, shown: '2', budget: budgets['pipeline.lost'], ok: false },
    ]);
  });

  it('breaks the budget of a figure missing from the results', () => {
    const budgets = { 'memory.peakRss': { max: 128, why: 'smallest Lambda' } };

    expect(checkBudgets([coldStart], budgets)).to.deep.equal([{ id: 'memory.peakRss', shown: 'missing', budget: budgets['memory.peakRss'], ok: false }]);
  });
});
