import { expect } from 'chai';
import { loadRefreshingValue } from '../../shared/refreshing-value.ts';

describe('loadRefreshingValue', () => {
  function makeClock(): { now: () => number; advance: (ms: number) => void } {
    let time = 1_000_000;
    return { now: () => time, advance: (ms) => (time += ms) };
  }

  function makeLoader(results: (string | Error)[]): { load: () => Promise<string>; calls: () => number } {
    let calls = 0;
    return {
      load: () => {
        const result = results[Math.min(calls, results.length - 1)] as string | Error;
        calls += 1;
        return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
      },
      calls: () => calls,
    };
  }

  it('keeps the first value for the life of the container when refreshMs is 0', async () => {
    const clock = makeClock();
    const loader = makeLoader(['first', 'second']);
    const value = await loadRefreshingValue(loader.load, { refreshMs: 0, onRefreshError: () => undefined, now: clock.now });

    clock.advance(365 * 24 * 3600 * 1000);
    const got = await value.get();

    expect({ got, calls: loader.calls(), healthy: value.isHealthy() }).to.deep.equal({ got: 'first', calls: 1, healthy: true });
  });

  it('reloads once the interval has passed, not before', async () => {
    const clock = makeClock();
    const loader = makeLoader(['first', 'second']);
    const value = await loadRefreshingValue(loader.load, { refreshMs: 60_000, onRefreshError: () => undefined, now: clock.now });

    clock.advance(59_999);
    const before = await value.get();
    clock.advance(1);
    const after = await value.get();

    expect({ before, after, calls: loader.calls() }).to.deep.equal({ before: 'first', after: 'second', calls: 2 });
  });

  it('shares one reload between concurrent callers', async () => {
    const clock = makeClock();
    const loader = makeLoader(['first', 'second', 'third']);
    const value = await loadRefreshingValue(loader.load, { refreshMs: 1000, onRefreshError: () => undefined, now: clock.now });

    clock.advance(1000);
    const got = await Promise.all([value.get(), value.get(), value.get()]);

    expect({ got, calls: loader.calls() }).to.deep.equal({ got: ['second', 'second', 'second'], calls: 2 });
  });

  it('keeps the previous value, reports the error and turns unhealthy when a reload fails', async () => {
    const clock = makeClock();
    const failure = new Error('ThrottlingException');
    const loader = makeLoader(['first', failure, 'third']);
    const reported: unknown[] = [];
    const value = await loadRefreshingValue(loader.load, { refreshMs: 1000, onRefreshError: (e) => reported.push(e), now: clock.now });

    clock.advance(1000);
    const during = await value.get();
    const healthyDuring = value.isHealthy();
    const beforeNextInterval = await value.get();
    clock.advance(1000);
    const recovered = await value.get();

    expect({ during, healthyDuring, beforeNextInterval, recovered, healthy: value.isHealthy(), calls: loader.calls() }).to.deep.equal({
      during: 'first',
      healthyDuring: false,
      beforeNextInterval: 'first',
      recovered: 'third',
      healthy: true,
      calls: 3,
    });
    expect(reported).to.deep.equal([failure]);
  });

  it('fails when the first load fails', async () => {
    const failure = new Error('AccessDeniedException');

    const error = await loadRefreshingValue(() => Promise.reject(failure), { refreshMs: 0, onRefreshError: () => undefined }).catch((e: unknown) => e);

    expect(error).to.equal(failure);
  });
});
