import type { IncomingMessage, ServerResponse } from 'node:http';
import { expect } from 'chai';
import Koa from 'koa';
import { inject } from 'light-my-request';
import { bodyReader } from '../../../shared/body.ts';
import { errorHandler } from '../../../shared/error-handler.ts';
import { setOrigin } from '../../../shared/origin.ts';
import { requestContext } from '../../../shared/request-context.ts';
import { verifySignature } from '../../../shared/signatures/middleware.ts';
import { createSlackVerifier } from '../../../shared/signatures/slack.ts';
import type { Verifier } from '../../../shared/signatures/verifier.ts';
import { makeCapturingLogger } from '../../../factories/logger.ts';
import { signSlack } from '../../../factories/signatures.ts';

const secret = 'slack-signing-secret';
const body = '{"type":"event_callback","event_id":"Ev1"}';

/** The real request context, error handler and body reader around the middleware; `receivedAt` plays the adapter's origin. */
function makeServer(verifier: Verifier | undefined, receivedAt?: number) {
  const { logger, lines } = makeCapturingLogger();
  const app = new Koa();
  app.silent = true;
  app.use(requestContext(logger));
  app.use(errorHandler());
  app.use(bodyReader());
  app.use(verifySignature('slack', () => Promise.resolve(verifier)));
  app.use((ctx) => {
    ctx.body = { verified: true, bytes: ctx.request.rawBody.length };
  });
  const callback = app.callback();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (receivedAt !== undefined) setOrigin(req, { receivedAt });
    void callback(req, res);
  };
  return { listener, lines };
}

const post = (listener: ReturnType<typeof makeServer>['listener'], headers: Record<string, string>) =>
  inject(listener, { method: 'POST', url: '/webhook/slack', headers: { 'content-type': 'application/json', ...headers }, payload: body });

describe('verifySignature', () => {
  const verifier = createSlackVerifier({ secrets: [secret] });

  it('passes a request signed within the tolerance of the time API Gateway received it, replayed 20 minutes later', async () => {
    const receivedAt = Date.now() - 20 * 60_000;
    const timestamp = Math.floor(receivedAt / 1000);
    const { listener } = makeServer(verifier, receivedAt);

    const res = await post(listener, { 'x-slack-signature': signSlack(secret, timestamp, body), 'x-slack-request-timestamp': String(timestamp) });

    expect(res.statusCode).to.equal(200);
    expect(res.json()).to.deep.equal({ verified: true, bytes: body.length });
  });

  it('answers 401 timestamp_out_of_tolerance to the same request when no receive time came with it', async () => {
    const timestamp = Math.floor((Date.now() - 20 * 60_000) / 1000);
    const { listener, lines } = makeServer(verifier);

    const res = await post(listener, { 'x-slack-signature': signSlack(secret, timestamp, body), 'x-slack-request-timestamp': String(timestamp) });

    const { error } = res.json<{ error: { code: string; message: string } }>();
    expect(res.statusCode).to.equal(401);
    expect(error.code).to.equal('timestamp_out_of_tolerance');
    expect(error.message).to.match(/^The signature timestamp is 1[12]\d\d s away from the time the request was received \(tolerance 300 s\)$/);
    expect(lines.filter((line) => line.message === 'signature rejected').map(({ provider, reason }) => ({ provider, reason }))).to.deep.equal([
      { provider: 'slack', reason: 'timestamp_out_of_tolerance' },
    ]);
  });

  it('answers 401 signature_mismatch without the secret or the expected digest in the answer or the log', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const { listener, lines } = makeServer(verifier);
    const expected = signSlack(secret, timestamp, body);

    const res = await post(listener, { 'x-slack-signature': signSlack('wrong', timestamp, body), 'x-slack-request-timestamp': String(timestamp) });

    expect(res.statusCode).to.equal(401);
    expect(res.json()).to.deep.equal({ error: { code: 'signature_mismatch', message: 'X-Slack-Signature does not match the body' } });
    const everything = res.payload + JSON.stringify(lines);
    expect(everything).not.to.include(secret).and.not.to.include(expected.slice(3));
  });

  it('answers 503 signature_secret_not_configured when the route has no secret', async () => {
    const { listener, lines } = makeServer(undefined);

    const res = await post(listener, {});

    expect(res.statusCode).to.equal(503);
    expect(res.json()).to.deep.equal({ error: { code: 'signature_secret_not_configured', message: 'No signing secret is configured for slack' } });
    expect(lines.find((line) => line.message === 'request failed')).to.include({ errorMessage: 'No signing secret is configured for slack' });
  });
});
