import { expect } from 'chai';
import { formatByColumn, formatTable, type Figure } from '../../bench/report.ts';

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

describe('formatByColumn', () => {
  it('puts the figures of each column side by side, with the target of the last column', () => {
    const figures: Figure[] = [
      { id: 'coldStart.node20.http', part: 'cold start', label: 'dist/http.mjs', value: 120, unit: 'ms', floor: 100, ratio: 1.2 },
      { id: 'coldStart.node20.http.rss', part: 'cold start', label: 'RSS over the floor', value: 9.5, unit: 'MiB' },
      { id: 'coldStart.node22.http', part: 'cold start', label: 'dist/http.mjs', value: 130, unit: 'ms', floor: 100, ratio: 1.3, target: 1.2 },
      { id: 'coldStart.node22.http.rss', part: 'cold start', label: 'RSS over the floor', value: 11, unit: 'MiB', target: 15, note: '70 MiB vs 59 MiB' },
      { id: 'coldStart.node22.http.sourceMaps', part: 'cold start', label: 'with source maps', value: 150, unit: 'ms', floor: 100, ratio: 1.5 },
    ];

    const table = formatByColumn(figures, 'coldStart.', [{ name: 'node20', title: 'Node 20' }, { name: 'node22', title: 'Node 22' }]);

    expect(table.split('\n')).to.deep.equal([
      '| figure             | Node 20  | ratio | Node 22 | ratio | target (Node 22) | met | notes            |',
      '| ------------------ | -------- | ----- | ------- | ----- | ---------------- | --- | ---------------- |',
      '| dist/http.mjs      | 120 ms   | 1.20× | 130 ms  | 1.30× | ≤ 1.2×           | NO  |                  |',
      '| RSS over the floor | 9.50 MiB |       | 11 MiB  |       | ≤ 15 MiB         | yes | 70 MiB vs 59 MiB |',
      '| with source maps   |          |       | 150 ms  | 1.50× |                  |     |                  |',
    ]);
  });
});
