// The console page in a real browser (Debian's Chromium through playwright-core), against the
// real local path: gateway → fauxqs FIFO queue on 127.0.0.1 → consumer → worker → the real app.
// One browser for every test here. Without Chromium the tests are not registered and the run
// says so at its end; in CI (CI=true) a missing Chromium fails the run instead.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { createLocalConsole } from '../../../../services/local/console/console.ts';
import { signGitHub, signStripe } from '../../../../services/local/console/signers.ts';
import { startLocalQueue, type LocalQueue } from '../../../../services/local/local-queue.ts';
import type { Service } from '../../../../services/server/service.ts';
import { startLoopbackService } from '../../../../factories/local-service.ts';
import { MemoryPersistenceLayer } from '../../../../shared/idempotency/memory-store.ts';
import type { ProviderSecrets } from '../../../../shared/signatures/secrets.ts';
import { makeApp } from '../../../../factories/app.ts';
import { makeCapturingLogger } from '../../../../factories/logger.ts';
import { hasChromium, launchChromium, missingChromiumMessage } from '../../../helpers/chromium.ts';

const stripeSecret = 'whsec_console_stripe_secret';
const rotatedGitHubSecret = 'github-secret-after-rotation';

if (!hasChromium && process.env.CI !== 'true') {
  after(() => console.log(`\n  ${missingChromiumMessage}\n`));
} else {
  describe('the local console page, in Chromium', function () {
    this.timeout(60_000);
    let browser: Browser;
    let page: Page;
    let queue: LocalQueue;
    let service: Service;
    // What the app and the console sign and verify with; a test changes it as an operator would.
    const secrets: ProviderSecrets = { stripe: [stripeSecret], github: ['github-secret-before-rotation'], shopify: ['shpss_console'], standard: [`whsec_${Buffer.from('console standard key').toString('base64')}`] };
    const pageErrors: string[] = [];

    before(async () => {
      if (!hasChromium) throw new Error(`CI=true needs the browser tests to run. ${missingChromiumMessage}`);
      browser = await launchChromium();
      queue = await startLocalQueue({ visibilityTimeoutSeconds: 10 });
      const webhooks = { secrets: () => Promise.resolve(secrets), publicHost: () => Promise.resolve('hooks.example.com'), idempotency: { store: new MemoryPersistenceLayer(), expiresAfterSeconds: 3600 } };
      const { app } = makeApp({ webhooks });
      const { logger } = makeCapturingLogger('warn');
      const webhookConsole = await createLocalConsole({ app, queue, logger, secrets: webhooks.secrets, publicHost: webhooks.publicHost, healthIntervalMs: 250 });
      service = await startLoopbackService({
        app, logger, queue,
        mount: webhookConsole.mount, gateway: webhookConsole.gateway, worker: webhookConsole.worker,
      });
      webhookConsole.attach(service.url);
      page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${service.url}/_console/`);
      await page.waitForSelector('#live[data-live="true"]');
    });

    after(async () => {
      await browser?.close();
      await service?.stop();
      await queue?.stop();
    });

    afterEach(() => {
      expect(pageErrors).to.deep.equal([]);
    });

    const post = (path: string, headers: Record<string, string>, body: string) =>
      fetch(`${service.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then((r) => r.json() as Promise<{ requestId: string }>);
    const row = (id: string, state?: string) => page.locator(`tr[data-id="${id}"]${state ? `[data-state="${state}"]` : ''}`);
    const text = (selector: string) => page.locator(selector).innerText();

    it('shows a signed webhook appear and settle as done, without a reload', async () => {
      const body = JSON.stringify({ id: 'evt_console_1', object: 'event', type: 'payment_intent.succeeded', data: { object: { amount: 2000 } } });

      const { requestId } = await post('/webhook/stripe', { 'stripe-signature': signStripe(stripeSecret, Math.floor(Date.now() / 1000), body) }, body);

      await row(requestId, 'done').waitFor();
      expect(await row(requestId).locator('td').allInnerTexts()).to.include.members(['stripe', '/webhook/stripe', 'done', '200', '1']);
    });

    it('shows a forged webhook parked, and opens it: signature verdict, redacted credentials, pretty body, the answer', async () => {
      const body = JSON.stringify({ action: 'opened', number: 7, repository: { full_name: 'octo-org/webhook-intake' } });
      const headers = { 'x-github-event': 'pull_request', 'x-github-delivery': 'console-gh-1', 'x-hub-signature-256': signGitHub(rotatedGitHubSecret, body), authorization: 'Bearer very-secret-token', cookie: 'session=abc' };

      const { requestId } = await post('/webhook/github', headers, body);
      await row(requestId, 'parked').waitFor();
      await page.locator('#h-dlq', { hasText: '1' }).waitFor();
      await row(requestId).click();
      await page.locator(`#detail[data-id="${requestId}"]`).waitFor();

      expect(await page.locator('#verdict-signature').getAttribute('data-verdict')).to.equal('rejected');
      expect(await text('#verdict-signature')).to.include('signature_mismatch');
      expect(await page.locator('#verdict-idempotency').getAttribute('data-verdict')).to.equal('not-reached');
      const headerText = await text('#request-headers');
      expect(headerText).to.include('authorization\t[redacted]').and.include('cookie\t[redacted]').and.include(headers['x-hub-signature-256']);
      expect(headerText).not.to.include('very-secret-token');
      expect(await page.locator('#request-body pre').innerText()).to.include('"full_name": "octo-org/webhook-intake"');
      expect(await page.locator('#detail .attempt').first().innerText()).to.include('401').and.include('signature_mismatch');
      expect(await text('#h-oldest')).to.match(/^\d+s$/);
    });

    it('replays the parked delivery from the DLQ once the secret is fixed, and it settles as done', async () => {
      const requestId = await page.locator('#detail').getAttribute('data-id');
      secrets.github = [rotatedGitHubSecret];

      await page.locator('#replay-delivery').click();

      await row(requestId!, 'done').waitFor();
      await page.locator('#h-dlq', { hasText: '0' }).waitFor();
      await page.locator('#verdict-signature[data-verdict="valid"]').waitFor();
      expect(await text('#toast')).to.equal('Replayed from the DLQ: the app accepted it and it was deleted');
      expect(await page.locator('#detail .attempt').allInnerTexts()).to.have.length(2);
      expect(await text('#verdict-idempotency')).to.include('Delivery console-gh-1 handled and recorded as done');
    });

    it('sends a signed sample in one click, and says which variable a provider without a secret needs', async () => {
      await page.selectOption('#sample-target', 'twilio');
      expect(await page.locator('#send-sample').isDisabled()).to.equal(true);
      expect(await text('#sample-hint')).to.equal('Set TWILIO_AUTH_TOKENS to sign twilio samples, then restart npm start.');

      await page.selectOption('#sample-target', 'stripe');
      await page.locator('#send-sample').click();

      await page.locator('#toast', { hasText: 'Signed stripe sample queued' }).waitFor();
      const requestId = await page.locator('#detail').getAttribute('data-id');
      await row(requestId!, 'done').waitFor();
      await page.locator('#verdict-idempotency[data-verdict="first"]').waitFor();
      expect(await page.locator('#verdict-signature').getAttribute('data-verdict')).to.equal('valid');
    });

    it('replays a handled delivery, which the idempotency guard answers as a duplicate; the body tab chosen stays as the detail updates', async () => {
      const requestId = await page.locator('#detail').getAttribute('data-id');
      await page.locator('#request-body [role="tab"]', { hasText: 'Raw' }).click();

      await page.locator('#replay-delivery').click();

      await page.locator('#verdict-idempotency[data-verdict="duplicate"]').waitFor();
      expect(await row(requestId!).locator('td').nth(6).innerText()).to.equal('2');
      expect(await page.locator('#request-body [role="tab"][aria-selected="true"]').innerText()).to.equal('Raw');
      expect(await page.locator('#request-body pre').innerText()).to.match(/^\{"[a-z_]+":/);
    });

    it('sends a forged sample, parks it, and replays the whole DLQ, which keeps what the app still refuses', async () => {
      await page.locator('#sample-forged').check();
      await page.locator('#send-sample').click();
      await page.locator('#toast', { hasText: 'Forged stripe sample queued' }).waitFor();
      const requestId = await page.locator('#detail').getAttribute('data-id');
      await row(requestId!, 'parked').waitFor();
      await page.locator('#sample-forged').uncheck();

      await page.locator('#dlq-replay').click();

      await page.locator('#toast', { hasText: 'Replayed 1: 0 succeeded and were deleted, 1 left in the DLQ' }).waitFor();
      await page.locator('#detail .attempt[data-outcome="kept"]').waitFor();
      expect(await row(requestId!).getAttribute('data-state')).to.equal('parked');
      await page.locator('#h-dlq', { hasText: '1' }).waitFor();
    });

    it('shows markup a sender put in headers, body and query as text, and runs none of it', async () => {
      const markup = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
      const { requestId } = await post(`/webhook?q=<svg onload=window.pwned=3>`, { 'x-evil': markup }, JSON.stringify({ note: markup }));
      await row(requestId, 'done').click();

      await page.locator('#request-headers', { hasText: 'x-evil' }).waitFor();

      expect(await page.evaluate(() => (globalThis as { pwned?: unknown }).pwned)).to.equal(undefined);
      expect(await page.locator('#request-headers').innerText()).to.include(markup);
      expect(await page.locator('#detail').innerText()).to.include('<svg onload=window.pwned=3>');
      expect(await page.locator('#detail img, #detail script, #detail svg').count()).to.equal(0);
    });

    it("cannot be framed by another site's page, which could trick a click on its buttons (clickjacking)", async () => {
      const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<iframe src="${service.url}/_console/"></iframe>`));
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      const other = await browser.newPage();
      try {
        // localhost, not 127.0.0.1: another site than the console's.
        await other.goto(`http://localhost:${(site.address() as AddressInfo).port}/`);
        const frame = await (await other.waitForSelector('iframe')).contentFrame();
        await frame!.waitForLoadState('load');

        expect(await frame!.locator('#dlq-redrive').count()).to.equal(0);
      } finally {
        await other.close();
        site.close();
      }
    });

    it('shows the page a person sees, in a screenshot (UPDATE_SCREENSHOTS=1 writes docs/console.png)', async () => {
      for (const target of ['shopify', 'standard', 'webhook']) {
        await page.selectOption('#sample-target', target);
        await page.locator('#send-sample').click();
        await page.locator('#toast', { hasText: `${target} sample queued` }).waitFor();
      }
      await page.locator('tr[data-state="queued"]').first().waitFor({ state: 'detached' });
      await page.locator('tr[data-id]', { hasText: '/webhook/github' }).click();
      await page.locator('#verdict-signature[data-verdict="valid"]').waitFor();

      const png = await page.screenshot({ fullPage: false });

      expect(png.subarray(1, 4).toString()).to.equal('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).to.deep.equal([1440, 900]);
      if (process.env.UPDATE_SCREENSHOTS === '1') {
        mkdirSync('docs', { recursive: true });
        writeFileSync('docs/console.png', png);
      }
    });
  });
}
