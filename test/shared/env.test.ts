import { expect } from 'chai';
import { EnvReader } from '../../shared/env.ts';
import { ConfigError } from '../../shared/errors.ts';

describe('EnvReader', () => {
  it('reads an integer in range, and the fallback when unset or empty', () => {
    const env = new EnvReader({ A: '42', B: '' });

    expect([env.integer('A', 1, 0, 100), env.integer('B', 7, 0, 100), env.integer('C', 8, 0, 100)]).to.deep.equal([42, 7, 8]);
    expect(env.problems).to.deep.equal([]);
  });

  it('names the variable, the range and the value of each bad integer', () => {
    const env = new EnvReader({ A: '1.5', B: '101', C: 'ten' });

    env.integer('A', 1, 0, 100);
    env.integer('B', 1, 0, 100);
    env.integer('C', 1, 0, 100);

    expect(env.problems).to.deep.equal([
      'A must be an integer from 0 to 100 (got "1.5")',
      'B must be an integer from 0 to 100 (got "101")',
      'C must be an integer from 0 to 100 (got "ten")',
    ]);
  });

  it('accepts the URL of a FIFO queue and names anything else', () => {
    const env = new EnvReader({ Q: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo', D: 'https://sqs.eu-west-1.amazonaws.com/123456789012/d' });

    expect([env.fifoQueueUrl('Q'), env.fifoQueueUrl('UNSET')]).to.deep.equal(['https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo', undefined]);
    env.fifoQueueUrl('D');
    expect(env.problems).to.deep.equal(['D must be the URL of a FIFO queue, ending in .fifo (got "https://sqs.eu-west-1.amazonaws.com/123456789012/d")']);
  });

  it('reads the region as the SDK does: AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect([
      new EnvReader({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1' }).region(),
      new EnvReader({ AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-1' }).region(),
      new EnvReader({}).region(),
    ]).to.deep.equal(['eu-west-1', 'us-east-1', undefined]);
  });

  it('throws one ConfigError listing every problem, and nothing without one', () => {
    const env = new EnvReader({ A: 'x' });
    env.integer('A', 1, 0, 9);
    env.problem('B is broken');

    const error = (() => {
      try {
        env.throwIfInvalid();
        return undefined;
      } catch (e) {
        return e;
      }
    })();

    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems).to.deep.equal(['A must be an integer from 0 to 9 (got "x")', 'B is broken']);
    expect(() => new EnvReader({}).throwIfInvalid()).not.to.throw();
  });
});
