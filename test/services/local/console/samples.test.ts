import { expect } from 'chai';
import { inject } from 'light-my-request';
import { SampleSecretMissingError } from '../../../../services/local/console/errors.ts';
import { buildSample, sampleTargets } from '../../../../services/local/console/samples.ts';
import { providers } from '../../../../shared/signatures/secrets.ts';
import { makeApp } from '../../../../factories/app.ts';
import { makeProviderWebhooks, testPublicHost, testSecrets } from '../../../../factories/webhooks.ts';

const secrets = Object.fromEntries(Object.entries(testSecrets).map(([provider, secret]) => [provider, [secret]]));

// The real app with the test secrets checks each sample, as it checks a provider's delivery.
async function send(sample: ReturnType<typeof buildSample>) {
  const { app } = makeApp({ webhooks: makeProviderWebhooks() });
  const response = await inject(app.callback(), { method: 'POST', url: sample.path, headers: sample.headers, payload: sample.body });
  return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
}

describe('buildSample', () => {
  for (const provider of providers) {
    it(`makes a ${provider} delivery that the app accepts with the configured secret, and a forged one it rejects`, async () => {
      const signed = await send(buildSample(provider, { secrets, publicHost: testPublicHost }));
      const forged = await send(buildSample(provider, { secrets, publicHost: testPublicHost, forged: true }));

      expect(signed.status).to.equal(200);
      expect(signed.body).to.include({ received: true, provider });
      expect([forged.status, (forged.body.error as { code: string }).code]).to.deep.equal([401, 'signature_mismatch']);
    });
  }

  it('makes a new delivery each time: new ids, so the idempotency guard runs the handler again', async () => {
    const answers = [];
    for (const provider of providers) {
      answers.push((await send(buildSample(provider, { secrets, publicHost: testPublicHost }))).body.deliveryId);
      answers.push((await send(buildSample(provider, { secrets, publicHost: testPublicHost }))).body.deliveryId);
    }

    expect(answers.every((id) => typeof id === 'string')).to.equal(true);
    expect(new Set(answers).size).to.equal(answers.length);
  });

  it('sends the unverified example route a JSON event, unsigned', async () => {
    const sample = buildSample('webhook', { secrets: {} });

    const answer = await send(sample);

    expect([sample.path, Object.keys(sample.headers), answer.status, answer.body.received]).to.deep.equal(['/webhook', ['content-type'], 200, true]);
  });

  it('names the variable to set when a provider has no secret', () => {
    const error = (() => {
      try {
        buildSample('stripe', { secrets: { github: ['x'] } });
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).to.be.instanceOf(SampleSecretMissingError);
    expect(error).to.include({ status: 409, code: 'secret_not_configured', message: 'No stripe signing secret is configured: set STRIPE_WEBHOOK_SECRETS (then restart npm start)' });
  });

  it('refuses a Twilio sample without the public host Twilio signs', () => {
    expect(() => buildSample('twilio', { secrets })).to.throw('Twilio signs the public URL, and no public host is configured: set PUBLIC_HOST_NAME');
  });

  it('offers the example route and every provider', () => {
    expect(sampleTargets).to.deep.equal(['webhook', ...providers]);
  });
});
