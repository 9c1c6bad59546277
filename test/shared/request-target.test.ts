import { expect } from 'chai';
import fc from 'fast-check';
import { inject } from 'light-my-request';
import { parseRequestTarget, toOriginForm } from '../../shared/request-target.ts';
import { makeApp } from '../../factories/app.ts';
import { expectLinear } from '../helpers/linear-cost.ts';

describe('parseRequestTarget', () => {
  it('splits origin-form into the raw path and query, percent-escapes and empty segments kept', () => {
    const targets = ['/', '//', '/webhook/%73tripe?a=%20b&c', '/x?', '/%', '/a?b?c'];

    const parsed = targets.map(parseRequestTarget);

    expect(parsed).to.deep.equal([
      { path: '/' },
      { path: '//' },
      { path: '/webhook/%73tripe', query: 'a=%20b&c' },
      { path: '/x', query: '' },
      { path: '/%' },
      { path: '/a', query: 'b?c' },
    ]);
  });

  it('drops the authority of absolute-form, whatever host it names', () => {
    const targets = ['http://evil.example/webhook?a=1', 'HTTPS://x:8443', 'http://a?q'];

    const parsed = targets.map(parseRequestTarget);

    expect(parsed).to.deep.equal([{ path: '/webhook', query: 'a=1' }, { path: '/' }, { path: '/', query: 'q' }]);
  });

  it('refuses asterisk-form, other schemes, relative targets, fragments and bad authorities', () => {
    const targets = ['*', 'a', '?a=1', 'http:', 'ftp://x/y', 'http://[::1', 'http://a:99999/x', '/webhook#frag', ''];

    const parsed = targets.map(parseRequestTarget);

    expect(parsed).to.deep.equal(targets.map(() => undefined));
  });

  it('gives back an origin-form target that parses to itself, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const target = parseRequestTarget(text);

        if (target === undefined) return;
        expect(target.path.startsWith('/')).to.equal(true);
        expect(parseRequestTarget(toOriginForm(target))).to.deep.equal(target);
      }),
    );
  });

  it('costs linear time in the length of the target', function () {
    this.timeout(60_000);
    expectLinear('origin-form', (n) => '/a'.repeat(n) + '?' + 'k=v&'.repeat(n), parseRequestTarget, 2000);
    expectLinear('absolute-form', (n) => 'http://h/' + '%'.repeat(n) + '?' + '?'.repeat(n), parseRequestTarget, 4000);
  });
});

describe('requestTarget', () => {
  it('answers 400 invalid_request_target in JSON, with a request id, for a target it refuses', async () => {
    const { app, lines } = makeApp();
    const callback = app.callback();

    // light-my-request normalizes its url with WHATWG URL; a Node server hands the raw target on.
    const res = await inject((req, res) => void callback(Object.assign(req, { url: 'http://[::1' }), res), { method: 'GET', url: '/' });

    expect(res.statusCode).to.equal(400);
    expect(res.json().error.code).to.equal('invalid_request_target');
    expect(res.headers['x-request-id']).to.be.a('string');
    expect(lines.find((line) => line.message === 'request')).to.include({ status: 400, path: null });
  });

  it('hands the routes origin-form for an absolute-form target', async () => {
    const { app } = makeApp();

    const res = await inject(app.callback(), { method: 'POST', url: 'http://evil.example/webhook?x=1', headers: { 'content-type': 'text/plain' }, payload: 'hi' });

    expect([res.statusCode, res.json().bytes]).to.deep.equal([200, 2]);
  });
});
