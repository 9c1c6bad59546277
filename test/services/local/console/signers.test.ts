import { expect } from 'chai';
import { signGitHub, signShopify, signSlack, signStandardWebhook, signStripe, signTwilio, twilioBodyHash } from '../../../../services/local/console/signers.ts';
import { createStripeVerifier } from '../../../../shared/signatures/stripe.ts';
import { makeSignedRequest } from '../../../../factories/signatures.ts';

// Each signer against the provider's published example, where the provider publishes one.
describe('signers', () => {
  it("signs GitHub's documented example", () => {
    // docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    expect(signGitHub("It's a Secret to Everybody", 'Hello, World!')).to.equal('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });

  it("signs Slack's documented example", () => {
    // api.slack.com/authentication/verifying-requests-from-slack, the slash command walk-through.
    const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

    expect(signSlack('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).to.equal('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });

  it('signs the Standard Webhooks / Svix test vector', () => {
    // Svix's libraries' sign tests (e.g. svix-webhooks php/tests/WebhookTest.php testSignFunctionWorks).
    expect(signStandardWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).to.equal('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it("signs Twilio's documented example, form and JSON", () => {
    // twilio.com/docs/usage/webhooks/webhooks-security, and twilio-node's validation tests.
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    const json = '{"property": "value", "boolean": true}';

    expect(signTwilio('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).to.equal('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(twilioBodyHash(json)).to.equal('0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620');
    expect(signTwilio('12345', `https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=${twilioBodyHash(json)}`)).to.equal('a9nBmqA0ju/hNViExpshrM61xv4=');
  });

  it('signs RFC 4231 test case 2 the way Shopify encodes it (Shopify publishes no vector)', () => {
    expect(signShopify('Jefe', 'what do ya want for nothing?')).to.equal('W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=');
  });

  it("signs Stripe deliveries that Stripe's scheme accepts (Stripe publishes no vector)", () => {
    const header = signStripe('whsec_x', 1_764_000_000, '{"id":"evt_1"}');
    const verify = createStripeVerifier({ secrets: ['whsec_x'] });

    expect(header).to.match(/^t=1764000000,v1=[0-9a-f]{64}$/);
    expect(() => verify(makeSignedRequest({ body: '{"id":"evt_1"}', headers: { 'stripe-signature': header }, receivedAt: 1_764_000_000_000 }))).not.to.throw();
  });
});
