import { expect } from 'chai';
import { createSlackVerifier } from '../../../shared/signatures/slack.ts';
import { SignatureError } from '../../../shared/signatures/errors.ts';
import { makeSignedRequest, signSlack } from '../../../factories/signatures.ts';

const secret = 'slack-signing-secret-2026';
const body = '{"type":"event_callback","event_id":"Ev08MFMKH6","event":{"type":"app_mention"}}';
const receivedAt = 1_764_000_000_000;
const signedAt = receivedAt / 1000 - 1;

const request = (headers: Record<string, string>, overrides: { body?: string; receivedAt?: number } = {}) =>
  makeSignedRequest({ body: overrides.body ?? body, headers, receivedAt: overrides.receivedAt ?? receivedAt });
const signed = (signature: string, timestamp = signedAt) => ({ 'X-Slack-Signature': signature, 'X-Slack-Request-Timestamp': String(timestamp) });

describe('createSlackVerifier', () => {
  const verify = createSlackVerifier({ secrets: [secret] });

  it("accepts Slack's published example request", () => {
    // api.slack.com/authentication/verifying-requests-from-slack, the slash command walk-through.
    const published = createSlackVerifier({ secrets: ['8f742231b10e8888abcd99yyyzzz85a5'] });
    const slashCommand =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = signed('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503', 1531420618);

    expect(() => published(request(headers, { body: slashCommand, receivedAt: 1531420618_000 }))).not.to.throw();
  });

  it('accepts a delivery signed with the secret', () => {
    expect(() => verify(request(signed(signSlack(secret, signedAt, body))))).not.to.throw();
  });

  it('accepts a delivery signed with either secret while rotating', () => {
    const rotating = createSlackVerifier({ secrets: ['slack-old', secret] });

    expect(() => rotating(request(signed(signSlack('slack-old', signedAt, body))))).not.to.throw();
    expect(() => rotating(request(signed(signSlack(secret, signedAt, body))))).not.to.throw();
  });

  it('accepts a delivery received in time and replayed from the queue 20 minutes later', () => {
    const receivedTwentyMinutesAgo = Date.now() - 20 * 60_000;
    const timestamp = Math.floor(receivedTwentyMinutesAgo / 1000);

    expect(() => verify(request(signed(signSlack(secret, timestamp, body), timestamp), { receivedAt: receivedTwentyMinutesAgo }))).not.to.throw();
  });

  const rejections: [string, Record<string, string>, { body?: string }, string, string][] = [
    ['no X-Slack-Signature header', { 'X-Slack-Request-Timestamp': String(signedAt) }, {}, 'signature_missing', 'The x-slack-signature header is missing'],
    ['no X-Slack-Request-Timestamp header', { 'X-Slack-Signature': signSlack(secret, signedAt, body) }, {}, 'signature_missing', 'The x-slack-request-timestamp header is missing'],
    ['a signature without the v0= version', signed(signSlack(secret, signedAt, body).replace('v0=', 'v1=')), {}, 'signature_malformed', 'X-Slack-Signature must start with "v0="'],
    ['a signature made with another secret', signed(signSlack('other', signedAt, body)), {}, 'signature_mismatch', 'X-Slack-Signature does not match the body'],
    ['a body changed by one byte', signed(signSlack(secret, signedAt, body)), { body: body.replace('Ev08', 'Ev09') }, 'signature_mismatch', 'X-Slack-Signature does not match the body'],
    ['a timestamp header other than the one signed', signed(signSlack(secret, signedAt, body), signedAt + 1), {}, 'signature_mismatch', 'X-Slack-Signature does not match the body'],
    ['a delivery already stale when API Gateway received it', signed(signSlack(secret, signedAt - 300, body), signedAt - 300), {}, 'timestamp_out_of_tolerance', 'The signature timestamp is 301 s away from the time the request was received (tolerance 300 s)'],
  ];
  for (const [name, headers, overrides, code, message] of rejections) {
    it(`rejects ${name} with ${code}`, () => {
      expect(() => verify(request(headers, overrides)))
        .to.throw(SignatureError, message)
        .with.property('code', code);
    });
  }
});
