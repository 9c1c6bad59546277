import type { RequestListener } from 'node:http';
import { expect } from 'chai';
import fc from 'fast-check';
import { inject, type InjectOptions } from 'light-my-request';
import { createLocalConsole } from '../../../../services/local/console/console.ts';
import { startLocalQueue, type LocalQueue } from '../../../../services/local/local-queue.ts';
import { makeApp } from '../../../../factories/app.ts';
import { makeCapturingLogger } from '../../../../factories/logger.ts';

// The console's HTTP surface through its mount listener, with its real journal and a fauxqs
// queue on 127.0.0.1; the browser tests (page.test.ts) drive the page itself.
describe('createConsoleApp', () => {
  let queue: LocalQueue;
  let listener: RequestListener;
  let close: () => void;

  before(async () => {
    queue = await startLocalQueue();
    const webhookConsole = await createLocalConsole({
      app: makeApp().app,
      queue,
      logger: makeCapturingLogger().logger,
      secrets: () => Promise.resolve({ github: ['gh-secret'] }),
      publicHost: () => Promise.resolve(undefined),
    });
    listener = webhookConsole.mount.listener;
    close = () => webhookConsole.mount.close?.();
  });

  after(async () => {
    close();
    await queue.stop();
  });

  const local = { remoteAddress: '127.0.0.1', headers: { host: '127.0.0.1:3000' } };
  const call = (options: InjectOptions) => inject(listener, { ...local, ...options, headers: { ...local.headers, ...options.headers } });
  const action = (url: string, body: unknown = {}) => call({ method: 'POST', url, headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:3000' }, payload: JSON.stringify(body) });

  it('serves the page, its script and its style, never cached, and sends /_console to /_console/', async () => {
    const answers = await Promise.all(['/_console/', '/_console/console.js', '/_console/console.css', '/_console'].map((url) => call({ url })));

    expect(answers.map((a) => [a.statusCode, a.headers['content-type'], a.headers['cache-control'] ?? a.headers.location])).to.deep.equal([
      [200, 'text/html; charset=utf-8', 'no-store'],
      [200, 'text/javascript; charset=utf-8', 'no-store'],
      [200, 'text/css; charset=utf-8', 'no-store'],
      [302, 'text/html; charset=utf-8', '/_console/'],
    ]);
    expect(answers[0]?.body).to.include('<script src="/_console/console.js" defer></script>');
  });

  it('answers only a browser on this machine: no other peer, no foreign Host, nothing a proxy forwarded', async () => {
    const refused = [
      { remoteAddress: '192.0.2.7' },
      { headers: { host: 'abcd.ngrok.app' } },
      { headers: { host: 'attacker.example:3000' } },
      { headers: { 'x-forwarded-for': '203.0.113.9' } },
      { headers: { forwarded: 'for=203.0.113.9' } },
    ];
    const allowed = [{ headers: { host: 'localhost:3000' } }, { headers: { host: '[::1]:3000' } }, { remoteAddress: '::ffff:127.0.0.1' }, { remoteAddress: '::1' }];

    const refusedAnswers = await Promise.all(refused.map((options) => call({ url: '/_console/api/deliveries', ...options })));
    const allowedAnswers = await Promise.all(allowed.map((options) => call({ url: '/_console/api/deliveries', ...options })));

    expect(refusedAnswers.map((a) => [a.statusCode, a.json<{ error: { code: string } }>().error.code])).to.deep.equal(Array(5).fill([403, 'console_local_only']));
    expect(allowedAnswers.map((a) => a.statusCode)).to.deep.equal([200, 200, 200, 200]);
  });

  it("refuses an action another site's page could send: cross-origin, or not JSON", async () => {
    const crossOrigin = await call({ method: 'POST', url: '/_console/api/dlq/redrive', headers: { 'content-type': 'application/json', origin: 'https://attacker.example' }, payload: '{}' });
    const form = await call({ method: 'POST', url: '/_console/api/dlq/redrive', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' });

    expect([crossOrigin.statusCode, crossOrigin.json().error.code]).to.deep.equal([403, 'cross_origin']);
    expect([form.statusCode, form.json().error.code]).to.deep.equal([415, 'json_required']);
  });

  it('lists the samples, saying which variable each missing secret needs, and refuses to sign without it', async () => {
    const samples = (await call({ url: '/_console/api/samples' })).json().samples as { target: string; ready: boolean; variable?: string }[];
    const unsigned = await action('/_console/api/samples/stripe');
    const unknown = await action('/_console/api/samples/paypal');

    expect(samples.map((s) => [s.target, s.ready, s.variable])).to.deep.equal([
      ['webhook', true, undefined],
      ['stripe', false, 'STRIPE_WEBHOOK_SECRETS'],
      ['github', true, 'GITHUB_WEBHOOK_SECRETS'],
      ['twilio', false, 'TWILIO_AUTH_TOKENS'],
      ['shopify', false, 'SHOPIFY_WEBHOOK_SECRETS'],
      ['slack', false, 'SLACK_SIGNING_SECRETS'],
      ['standard', false, 'STANDARD_WEBHOOK_SECRETS'],
    ]);
    expect([unsigned.statusCode, unsigned.json().error]).to.deep.equal([409, { code: 'secret_not_configured', message: 'No stripe signing secret is configured: set STRIPE_WEBHOOK_SECRETS (then restart npm start)' }]);
    expect([unknown.statusCode, unknown.json().error.code]).to.deep.equal([404, 'unknown_sample']);
  });

  it('answers a delivery it does not know 404, and reads the queue health and an empty DLQ', async () => {
    const missing = await call({ url: '/_console/api/deliveries/nope' });
    const replay = await action('/_console/api/deliveries/nope/replay');
    const health = await call({ url: '/_console/api/health' });
    const dlqReplay = await action('/_console/api/dlq/replay');

    expect([missing.statusCode, missing.json().error.code, replay.statusCode]).to.deep.equal([404, 'delivery_not_found', 404]);
    expect(health.json()).to.deep.equal({ queue: { visible: 0, inFlight: 0, delayed: 0 }, dlq: { visible: 0, inFlight: 0, oldestReceivedAt: null } });
    expect(dlqReplay.json()).to.deep.equal({ message: 'Replayed 0: 0 succeeded and were deleted, 0 left in the DLQ', succeeded: 0, kept: 0 });
  });

  it('answers any method, path, header and body with a status and, for errors, a JSON error', async function () {
    this.timeout(60_000);
    const methods = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');
    const segment = fc.oneof(fc.constantFrom('api', 'deliveries', 'dlq', 'samples', 'replay', 'events', '..', '%2e%2e', '%00', 'console.js'), fc.string({ maxLength: 12 }).map(encodeURIComponent));
    const paths = fc.array(segment, { maxLength: 5 }).map((parts) => `/_console/${parts.join('/')}`).filter((path) => !path.endsWith('/events'));
    const bodies = fc.oneof(fc.constant(''), fc.json(), fc.string({ maxLength: 200 }), fc.constant('{"forged":'), fc.constant('x'.repeat(5000)));
    const types = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', '');

    await fc.assert(
      fc.asyncProperty(methods, paths, bodies, types, async (method, url, payload, type) => {
        const answer = await call({ method, url, payload, headers: type ? { 'content-type': type, origin: 'http://127.0.0.1:3000' } : {} });
        expect(answer.statusCode).to.be.within(200, 599);
        if (answer.statusCode >= 400 && method !== 'HEAD') expect(answer.json()).to.have.nested.property('error.code').that.is.a('string');
      }),
      { numRuns: 150 },
    );
  });
});
