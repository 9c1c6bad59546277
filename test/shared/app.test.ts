import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { inject } from 'light-my-request';
import { AppError } from '../../shared/errors.ts';
import { setOrigin } from '../../shared/origin.ts';
import { makeApp } from '../../factories/app.ts';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('createApp', () => {
  it('names the service on GET /', async () => {
    const { app } = makeApp();

    const res = await inject(app.callback(), { method: 'GET', url: '/' });

    expect(res.statusCode).to.equal(200);
    expect(res.json()).to.deep.equal({ service: 'webhook-intake', version: '0.0.0-test', status: 'ok' });
  });

  it('answers 200 on GET /health when every check passes', async () => {
    const { app } = makeApp({ health: { config: () => true } });

    const res = await inject(app.callback(), { method: 'GET', url: '/health' });

    expect(res.statusCode).to.equal(200);
    expect(res.json()).to.deep.equal({ status: 'ok', checks: { config: 'ok' }, version: '0.0.0-test' });
  });

  it('answers 503 on GET /health when a check fails', async () => {
    const { app } = makeApp({ health: { config: () => false } });

    const res = await inject(app.callback(), { method: 'GET', url: '/health' });

    expect(res.statusCode).to.equal(503);
    expect(res.json()).to.deep.equal({ status: 'degraded', checks: { config: 'failing' }, version: '0.0.0-test' });
  });

  describe('POST /webhook', () => {
    const cases: [string, string, Buffer][] = [
      ['JSON', 'application/json', Buffer.from('{"id":"evt_1","amount":4200}')],
      ['a form with +, & and % in values', 'application/x-www-form-urlencoded', Buffer.from('Body=a%2Bb+%26+c%25&From=%2B15551234567')],
      ['UTF-8 text with non-ASCII characters', 'text/plain; charset=utf-8', Buffer.from('Grüße, 東京 💸', 'utf8')],
      ['XML', 'application/xml', Buffer.from('<event id="1"><amount>42</amount></event>')],
      ['bytes that are not UTF-8', 'application/octet-stream', Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a])],
    ];
    for (const [name, contentType, body] of cases) {
      it(`answers the SHA-256 of the exact bytes for ${name}`, async () => {
        const { app } = makeApp();

        const res = await inject(app.callback(), { method: 'POST', url: '/webhook', headers: { 'content-type': contentType }, payload: body });

        expect(res.statusCode).to.equal(200);
        expect(res.json()).to.deep.equal({ received: true, bytes: body.length, sha256: sha256(body), contentType });
      });
    }

    it('answers 400 invalid_json for malformed JSON', async () => {
      const { app } = makeApp();

      const res = await inject(app.callback(), { method: 'POST', url: '/webhook', headers: { 'content-type': 'application/json' }, payload: '{"id":' });

      expect(res.statusCode).to.equal(400);
      expect(res.json().error.code).to.equal('invalid_json');
    });

    it('answers 413 payload_too_large past the body limit', async () => {
      const { app } = makeApp({ bodyLimit: 16 });

      const res = await inject(app.callback(), { method: 'POST', url: '/webhook', headers: { 'content-type': 'text/plain' }, payload: 'x'.repeat(17) });

      expect(res.statusCode).to.equal(413);
      expect(res.json()).to.deep.equal({ error: { code: 'payload_too_large', message: 'Body exceeds the limit of 16 bytes' } });
    });

    it('answers 415 for a compressed body it cannot read', async () => {
      const { app } = makeApp();

      const res = await inject(app.callback(), { method: 'POST', url: '/webhook', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: 'x' });

      expect(res.statusCode).to.equal(415);
      expect(res.json().error.code).to.equal('unsupported_content_encoding');
    });
  });

  it('echoes path and repeated query keys on GET /api/*', async () => {
    const { app } = makeApp();

    const res = await inject(app.callback(), { method: 'GET', url: '/api/orders/42?tag=a&tag=b&q=x' });

    expect(res.statusCode).to.equal(200);
    expect(res.json()).to.deep.equal({ path: '/api/orders/42', query: { tag: ['a', 'b'], q: 'x' }, user: null });
  });

  it('answers 404 not_found as JSON for an unknown route', async () => {
    const { app } = makeApp();

    const res = await inject(app.callback(), { method: 'GET', url: '/nope' });

    expect(res.statusCode).to.equal(404);
    expect(res.json()).to.deep.equal({ error: { code: 'not_found', message: 'No route for GET /nope' } });
  });

  it('answers 405 with Allow for a known path and the wrong method', async () => {
    const { app } = makeApp();

    const res = await inject(app.callback(), { method: 'DELETE', url: '/webhook' });

    expect(res.statusCode).to.equal(405);
    expect(res.headers.allow).to.equal('POST');
    expect(res.json().error.code).to.equal('method_not_allowed');
  });

  it('answers 500 without internal details when a handler throws, and logs them', async () => {
    const { app, lines } = makeApp();
    app.middleware.splice(2, 0, () => {
      throw new Error('database password is hunter2');
    });

    const res = await inject(app.callback(), { method: 'GET', url: '/' });

    expect(res.statusCode).to.equal(500);
    expect(res.json()).to.deep.equal({ error: { code: 'internal_error', message: 'Internal server error' } });
    expect(res.body).not.to.contain('hunter2');
    expect(lines.find((l) => l.message === 'request failed')).to.include({ errorMessage: 'database password is hunter2' });
  });

  it('keeps the message and code of an exposed AppError', async () => {
    const { app } = makeApp();
    app.middleware.splice(2, 0, () => {
      throw new AppError(409, 'in_progress', 'Delivery is being handled');
    });

    const res = await inject(app.callback(), { method: 'GET', url: '/' });

    expect(res.statusCode).to.equal(409);
    expect(res.json()).to.deep.equal({ error: { code: 'in_progress', message: 'Delivery is being handled' } });
  });

  describe('request ids', () => {
    it('echoes a sane incoming x-request-id', async () => {
      const { app, lines } = makeApp();

      const res = await inject(app.callback(), { method: 'GET', url: '/health', headers: { 'x-request-id': 'req-123' } });

      expect(res.headers['x-request-id']).to.equal('req-123');
      expect(lines.find((l) => l.message === 'request')).to.include({ requestId: 'req-123', method: 'GET', path: '/health', status: 200 });
    });

    it('writes no access line for a replayed request: the worker logs one line per record', async () => {
      const { app, lines } = makeApp();
      const callback = app.callback();

      await inject((req, res) => {
        setOrigin(req, { requestId: 'gw-1', queue: { messageId: 'm-1', receiveCount: 1 } });
        void callback(req, res);
      }, { method: 'GET', url: '/health' });

      expect(lines.filter((l) => l.message === 'request')).to.deep.equal([]);
    });

    it('replaces an x-request-id that is not a short token', async () => {
      const { app } = makeApp();

      const res = await inject(app.callback(), { method: 'GET', url: '/health', headers: { 'x-request-id': 'a b"<script>' } });

      expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    });
  });
});
