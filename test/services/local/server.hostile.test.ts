// `npm start` against what an outsider may send: one process for the whole file, with every
// provider's test secret, talked to on 127.0.0.1 only. Each test names the defect it guards.
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { makeSignedDelivery, testPublicHost, testSecrets } from '../../factories/webhooks.ts';
import { startNpm, type NpmStart } from '../../helpers/npm-start.ts';

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
});
