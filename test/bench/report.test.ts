import { expect } from 'chai';
import { formatTable, type Figure } from '../../bench/report.ts';

describe('formatTable', () => {
  it('prints value, floor, ratio, target and whether it is met, as a Markdown table', () => {
    const figures: Figure[] = [
      { id: 'coldStart.node', part: 'cold start', label: 'node -e 0', value: 22.4, unit: 'ms' },
      { id: 'coldStart.http', part: 'cold start', label: 'dist/http.mjs', value: 171.3, unit: 'ms', floor: 102, ratio: 1.68, target: 1.5 },
      { id: 'memory.peakRss', part: 'memory', label: 'peak RSS', value: 99.1, unit: 'MB', target: 128, note: '3,834 msg/s' },
    ];

    const table = formatTable(figures);

    expect(table.split('\n')).to.deep.equal([
      '| part       | figure        | value   | floor  | ratio | target   | met | notes       |',
      '| ---------- | ------------- | ------- | ------ | ----- | -------- | --- | ----------- |',
      '| cold start | node -e 0     | 22.4 ms |        |       |          |     |             |',
      '| cold start | dist/http.mjs | 171 ms  | 102 ms | 1.68× | ≤ 1.5×   | NO  |             |',
      '| memory     | peak RSS      | 99.1 MB |        |       | ≤ 128 MB | yes | 3,834 msg/s |',
    ]);
  });
});
