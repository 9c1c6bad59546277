// `npm start` against what an outsider may send: one process for the whole file, with every
// provider's test secret, talked to on 127.0.0.1 only. Each test names the defect it guards.
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import fc from 'fast-check';
import { guaranteedBodyBytes, sqsMaxMessageBytes } from '../../../shared/queue-message/size.ts';
import { signTwilio } from '../../../factories/signatures.ts';
import { makeSignedDelivery, testPublicHost, testSecrets, type SignedDelivery } from '../../../factories/webhooks.ts';
import { startNpm, type NpmStart } from '../../helpers/npm-start.ts';
import { sendRaw, type RawAnswer } from '../../helpers/raw-http.ts';

const secretsEnv = {
  STRIPE_WEBHOOK_SECRETS: testSecrets.stripe,
  GITHUB_WEBHOOK_SECRETS: testSecrets.github,
  TWILIO_AUTH_TOKENS: testSecrets.twilio,
  SHOPIFY_WEBHOOK_SECRETS: testSecrets.shopify,
  SLACK_SIGNING_SECRETS: testSecrets.slack,
  STANDARD_WEBHOOK_SECRETS: testSecrets.standard,
};

describe('npm start against hostile input', () => {
  let run: NpmStart;
  let child: ChildProcess;
  let url: string;

  before(async function () {
    this.timeout(60_000);
    run = startNpm([], { ...secretsEnv, PUBLIC_HOST_NAME: testPublicHost });
    child = run.child;
    url = await run.ready();
  });

  after(() => {
    child.kill('SIGKILL');
  });

  const health = async () => (await fetch(`${url}/health`)).status;

  /** An answer, never 5xx, with a JSON body or none (Node's own parser refusing a request, the router answering OPTIONS). */
  const answeredSanely = (answer: RawAnswer) => answer.status !== undefined && answer.status < 500 && (answer.body === '' || isJson(answer.body));

  const post = async (path: string, headers: Record<string, string>, body: string) => {
    const response = await fetch(url + path, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('handles a genuine delivery after an unsigned POST claiming its delivery id (SQS dedup id never from a header)', async () => {
    const genuine = makeSignedDelivery('github', { id: `d-${Date.now()}` });
    const forgedHeaders = { ...genuine.headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };

    const forged = await post(genuine.url, forgedHeaders, '{"forged":true}');
    const accepted = await post(genuine.url, genuine.headers, genuine.body);
    const handled = await run.waitForLine('queue record', { messageId: accepted.body.messageId });
    const parked = await run.waitForLine('queue record', { messageId: forged.body.messageId });

    expect(accepted.body.messageId).to.not.equal(forged.body.messageId);
    expect([handled.outcome, handled.status]).to.deep.equal(['done', 200]);
    expect([parked.outcome, parked.status, parked.detail]).to.deep.equal(['parked', 401, 'The app answered 401 signature_mismatch']);
  });

  it('answers 413 payload_too_large, never 5xx, to a body no queue message can carry, and queues one that fits', async () => {
    const tooLarge = await post('/webhook', { 'content-type': 'text/plain' }, 'x'.repeat(800_000));
    const fits = await post('/webhook', { 'content-type': 'text/plain' }, 'x'.repeat(guaranteedBodyBytes()));
    const handled = await run.waitForLine('queue record', { messageId: fits.body.messageId });

    expect([tooLarge.status, (tooLarge.body.error as { code: string }).code]).to.deep.equal([413, 'payload_too_large']);
    expect([fits.status, handled.outcome]).to.deep.equal([202, 'done']);
  });

  it('verifies Twilio webhooks whose URL has a query through the queue, spelled as Twilio signed it', async () => {
    const queries = ['tenant=acme:eu', 'cb=a%20b', 'debug', 'ids=1,2'];
    const accepted = [];
    for (const [i, query] of queries.entries()) {
      const params = { MessageSid: `SMq${i}${Date.now()}`, Body: 'hi' };
      const signature = signTwilio(testSecrets.twilio, `https://${testPublicHost}/webhook/twilio?${query}`, params);
      accepted.push(await post(`/webhook/twilio?${query}`, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, new URLSearchParams(params).toString()));
    }

    const handled = await Promise.all(accepted.map((answer) => run.waitForLine('queue record', { messageId: answer.body.messageId })));

    expect(handled.map((line) => [line.outcome, line.status])).to.deep.equal(queries.map(() => ['done', 200]));
  });

  it("logs the app's lines for a queued webhook under the gateway's request id, not the caller's X-Request-Id", async () => {
    const delivery = makeSignedDelivery('github', { id: `spoof-${Date.now()}` });

    const accepted = await post(delivery.url, { ...delivery.headers, 'x-request-id': 'chosen-by-the-caller', 'x-hub-signature-256': `sha256=${'1'.repeat(64)}` }, delivery.body);
    const record = await run.waitForLine('queue record', { messageId: accepted.body.messageId });
    const rejected = run.lines.filter((line) => line.message === 'signature rejected' && line.messageId === accepted.body.messageId);

    expect([record.requestId, rejected.map((line) => line.requestId)]).to.deep.equal([accepted.body.requestId, [accepted.body.requestId]]);
  });

  it('runs a captured, validly signed GitHub or Shopify delivery once, whatever delivery id it is resent with', async () => {
    const runs: string[] = [];
    for (const [provider, idHeader] of [['github', 'x-github-delivery'], ['shopify', 'x-shopify-webhook-id']] as const) {
      const captured = makeSignedDelivery(provider, { id: `captured-${Date.now()}`, body: JSON.stringify({ provider, at: Date.now() }) });
      const withoutId = Object.fromEntries(Object.entries(captured.headers).filter(([name]) => name !== idHeader));
      const sends = [captured.headers, { ...captured.headers, [idHeader]: `new-${Date.now()}` }, withoutId];

      for (const headers of sends) {
        const accepted = await post(captured.url, headers, captured.body);
        await run.waitForLine('queue record', { messageId: accepted.body.messageId });
        runs.push(`${provider} ${run.find('duplicate delivery', { messageId: accepted.body.messageId }) ? 'duplicate' : 'ran'}`);
      }
    }

    expect(runs).to.deep.equal(['github ran', 'github duplicate', 'github duplicate', 'shopify ran', 'shopify duplicate', 'shopify duplicate']);
  });

  it('runs a captured Stripe delivery once under any Content-Type, and a Twilio one in any field order or spelling', async () => {
    const stripe = makeSignedDelivery('stripe', { id: `evt_captured_${Date.now()}` });
    const twilio = makeSignedDelivery('twilio', { id: `SMcaptured${Date.now()}` });
    const sends: [string, SignedDelivery][] = [
      ['stripe', stripe], ['stripe', { ...stripe, headers: { ...stripe.headers, 'content-type': 'text/plain' } }],
      ['twilio', twilio], ['twilio', { ...twilio, body: twilio.body.split('&').reverse().join('&') }], ['twilio', { ...twilio, body: twilio.body.replaceAll('+', '%20') }],
    ];
    const runs: string[] = [];

    for (const [provider, delivery] of sends) {
      const accepted = await post(delivery.url, delivery.headers, delivery.body);
      const record = await run.waitForLine('queue record', { messageId: accepted.body.messageId });
      runs.push(`${provider} ${String(record.status)} ${run.find('duplicate delivery', { messageId: accepted.body.messageId }) ? 'duplicate' : 'ran'}`);
    }

    expect(runs).to.deep.equal(['stripe 200 ran', 'stripe 200 duplicate', 'twilio 200 ran', 'twilio 200 duplicate', 'twilio 200 duplicate']);
  });

  it("parks a forged webhook as large as the queue takes, rather than retrying it while its entity's group waits", async () => {
    const object = `in_victim_${Date.now()}`;
    const send = (padding: number) => post('/webhook/stripe', { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00', 'x-padding': 'p'.repeat(padding) },
      JSON.stringify({ data: { object: { id: object } }, padding: 'x'.repeat(785_000) }));
    // The 413 says how large the message would be: three header bytes less make four message bytes less.
    const tooLarge = await send(12_000);
    const messageBytes = Number(/makes a (\d+)-byte queue message/.exec(String((tooLarge.body.error as { message: string }).message))?.[1]);
    const fitting = 12_000 - 3 * Math.ceil((messageBytes - sqsMaxMessageBytes) / 4);

    const forged = await send(fitting);
    const record = await run.waitForLine('queue record', { messageId: forged.body.messageId });

    expect(forged.status).to.equal(202);
    expect([record.outcome, record.status, record.groupId]).to.deep.equal(['parked', 401, `/webhook/stripe#${object}`]);
  });

  it('answers any odd request target, with any method, in JSON, and keeps serving', async function () {
    this.timeout(60_000);
    const targets = ['//', '///', '//evil.example/webhook', '/%', '/%zz', '/webhook/%', '*', 'http://evil.example/webhook', 'https://x/webhook?x=%',
      'http://[::1', 'http://a:99999/webhook', '/webhook#frag', '/webhook/..', '/webhook/../api/x', '/webhook?%E0%A4%A=%', '/webhook/stripe?' + 'k=v&'.repeat(2000)];
    const answers: [string, RawAnswer][] = [];

    for (const method of ['GET', 'POST', 'PUT', 'OPTIONS']) {
      for (const target of targets) {
        const answer = await sendRaw(url, `${method} ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
        answers.push([`${method} ${target.slice(0, 40)}`, answer]);
      }
    }

    expect(answers.filter(([, answer]) => !answeredSanely(answer)).map(([request, answer]) => `${request} → ${answer.status ?? 'nothing'}`)).to.deep.equal([]);
    expect(answers.find(([request]) => request === 'GET http://[::1')?.[1].body).to.include('invalid_request_target');
    expect([child.exitCode, await health()]).to.deep.equal([null, 200]);
  });

  it('stays up, answering every request and /health, for 300 random requests: odd targets, header names and bodies', async function () {
    this.timeout(120_000);
    const segment = fc.stringMatching(/^[-a-zA-Z0-9._~%!$&'()*+,;=:@/?[\]]{0,12}$/);
    const target = fc.oneof(
      fc.tuple(fc.constantFrom('/webhook', '/webhook/stripe', '/webhook/twilio', '/webhook/github', '/health', '/api', '', '/', '//', '*', 'http://h'), segment).map(([a, b]) => a + b),
      fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
    );
    const headerName = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'x-request-id', 'content-type', 'content-encoding', 'transfer-encoding', 'x-hub-signature-256', 'stripe-signature', 'x-twilio-signature'), fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/));
    const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
      fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '')),
      fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)),
      fc.constant(Buffer.from('[' .repeat(50_000))),
    );
    const contentType = fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/json; charset=bogus', '');
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
      target,
      headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
      contentType,
      body,
      lengthDelta: fc.constantFrom(0, 0, 0, -1, 5),
    });
    const samples = fc.sample(request, { numRuns: 300, seed: 11 });
    if (process.env.FUZZ_DEBUG) for (const i of process.env.FUZZ_DEBUG.split(',').map(Number)) console.log(i, JSON.stringify({ ...samples[i], body: samples[i]?.body.length }));
    const insane: string[] = [];

    for (const [i, r] of samples.entries()) {
      const headers = r.headers.filter(([name]) => !['content-length', 'transfer-encoding', 'host'].includes(name.toLowerCase()));
      const head = [`${r.method} ${r.target} HTTP/1.1`, 'Host: 127.0.0.1', ...(r.contentType ? [`Content-Type: ${r.contentType}`] : []),
        ...headers.map(([name, value]) => `${name}: ${value}`), `Content-Length: ${Math.max(0, r.body.length + r.lengthDelta)}`, 'Connection: close'];
      const answer = await sendRaw(url, Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), r.body]), { timeoutMs: 3000, halfClose: r.lengthDelta > 0 });
      if (!answeredSanely(answer) && !(r.lengthDelta > 0 && answer.status === undefined)) insane.push(`#${i} ${r.method} ${r.target} → ${answer.status ?? 'nothing'} ${answer.body.slice(0, 80)}`);
      if (i % 25 === 0) expect(await health(), `/health after request #${i}`).to.equal(200);
    }

    expect(insane).to.deep.equal([]);
    expect([child.exitCode, await health()]).to.deep.equal([null, 200]);
  });

  it('parses a url-encoded body in time linear in its pairs, before any route or signature check', async function () {
    this.timeout(60_000);
    // POST /health is answered 405, but only after the body reader has parsed the form.
    const postForm = (n: number) => async () => {
      const response = await fetch(`${url}/health`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'k=v&'.repeat(n) });
      await response.arrayBuffer();
    };
    const timeAsync = async (run: () => Promise<void>) => {
      const started = performance.now();
      await run();
      return performance.now() - started;
    };
    const best = async (run: () => Promise<void>) => Math.min(await timeAsync(run), await timeAsync(run), await timeAsync(run));

    await best(postForm(5000));
    const small = await best(postForm(5000));
    const large = await best(postForm(20_000));

    expect(large / small, `${large.toFixed(1)} ms for 20,000 pairs against ${small.toFixed(1)} ms for 5,000`).to.be.below(10);
  });
});

const isJson = (text: string) => { try { JSON.parse(text); return true; } catch { return false; } };
