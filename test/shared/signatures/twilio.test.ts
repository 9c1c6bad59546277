import { expect } from 'chai';
import { createTwilioVerifier } from '../../../shared/signatures/twilio.ts';
import { SignatureError } from '../../../shared/signatures/errors.ts';
import { makeSignedRequest, signTwilio, twilioBodyHash } from '../../../factories/signatures.ts';

// twilio-node spec/validation.spec.js: Twilio's own library tests, built on the example of
// Twilio's security docs (auth token 12345, https://mycompany.com/myapp.php?foo=1&bar=2).
const vector = {
  token: '12345',
  host: 'mycompany.com',
  url: '/myapp.php?foo=1&bar=2',
  form: 'CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212',
};

const token = 'a3f1c0de5b7e4f2a9d8c6b1e0f2a3b4c';
const publicHost = 'hooks.example.com';
const form = 'MessageSid=SM0123456789abcdef0123456789abcdef&Body=Hi+there+%26+bye&From=%2B15551230000&To=%2B15557650000';
const params = { MessageSid: 'SM0123456789abcdef0123456789abcdef', Body: 'Hi there & bye', From: '+15551230000', To: '+15557650000' };

const request = (signature: string | undefined, overrides: { url?: string; body?: string } = {}) =>
  makeSignedRequest({ url: overrides.url ?? '/webhook/twilio', body: overrides.body ?? form, headers: signature === undefined ? {} : { 'X-Twilio-Signature': signature } });

describe('createTwilioVerifier', () => {
  const verify = createTwilioVerifier({ secrets: [token], publicHost });

  describe('published vectors', () => {
    const published = createTwilioVerifier({ secrets: [vector.token], publicHost: vector.host });
    const cases: [string, string, { url?: string; body?: string }][] = [
      ['a form webhook signed over the URL without a port', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', {}],
      ['a form webhook signed over the URL with :443', 'kvajT1Ptam85bY51eRf/AJRuM3w=', {}],
      ['a JSON webhook with bodySHA256 in the URL', 'a9nBmqA0ju/hNViExpshrM61xv4=', { url: `${vector.url}&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620`, body: '{"property": "value", "boolean": true}' }],
      ['a repeated parameter, its values sorted', '83O6e2vORAoJHUNzJjDWN1jz+BA=', { body: 'MessagingBinding.Address=%2B1415xxxxxxx&MessagingBinding.Address=%2B1325xxxxxxx' }],
      ['a repeated value counted once', 'IK+Dwps556ElfBT0I3Rgjkr1wJU=', { body: 'Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234' }],
      ['a query with a quote and a plus sign', 'dsq4Ehbj6cs+KdTkpF5sSSplOWw=', { url: `${vector.url}&Body=It's+amazing` }],
    ];
    for (const [name, signature, overrides] of cases) {
      it(`accepts ${name}`, () => {
        expect(() => published(request(signature, { url: vector.url, body: vector.form, ...overrides }))).not.to.throw();
      });
    }
  });

  it('accepts a form webhook signed over the configured public host, not the host the function sees', () => {
    const signature = signTwilio(token, `https://${publicHost}/webhook/twilio`, params);

    expect(() => verify(request(signature))).not.to.throw();
  });

  it('accepts a webhook signed with the secondary auth token while rotating', () => {
    const rotating = createTwilioVerifier({ secrets: [token, 'secondary-token'], publicHost });

    expect(() => rotating(request(signTwilio('secondary-token', `https://${publicHost}/webhook/twilio`, params)))).not.to.throw();
  });

  it('accepts a JSON webhook whose body matches bodySHA256', () => {
    const body = '{"MessageSid":"SM1","Body":"hé"}';
    const url = `/webhook/twilio?bodySHA256=${twilioBodyHash(body)}`;

    expect(() => verify(request(signTwilio(token, `https://${publicHost}${url}`), { url, body }))).not.to.throw();
  });

  describe('a query rebuilt from decoded pairs (a replay of an API Gateway message)', () => {
    // As the worker replays it: URLSearchParams' spelling of the pairs API Gateway passed.
    const rebuilt = (query: string) => `/webhook/twilio?${new URLSearchParams(query).toString()}`;
    for (const query of ['tenant=acme:eu', 'cb=a%20b', 'debug', 'ids=1,2']) {
      it(`accepts a webhook Twilio signed over ?${query}`, () => {
        const signature = signTwilio(token, `https://${publicHost}/webhook/twilio?${query}`, params);

        expect(() => verify(makeSignedRequest({ url: rebuilt(query), queryRebuilt: true, body: form, headers: { 'X-Twilio-Signature': signature } }))).not.to.throw();
      });
    }

    it('tries no other spelling when the query came as sent', () => {
      const signature = signTwilio(token, `https://${publicHost}/webhook/twilio?tenant=acme:eu`, params);

      expect(() => verify(makeSignedRequest({ url: rebuilt('tenant=acme:eu'), queryRebuilt: false, body: form, headers: { 'X-Twilio-Signature': signature } })))
        .to.throw(SignatureError).with.property('code', 'signature_mismatch');
    });

    it('accepts no query other than the signed one, however it is spelled', () => {
      const signature = signTwilio(token, `https://${publicHost}/webhook/twilio?tenant=acme:eu`, params);

      expect(() => verify(makeSignedRequest({ url: rebuilt('tenant=acme:us'), queryRebuilt: true, body: form, headers: { 'X-Twilio-Signature': signature } })))
        .to.throw(SignatureError).with.property('code', 'signature_mismatch');
    });
  });

  const jsonBody = '{"MessageSid":"SM1"}';
  const jsonUrl = `/webhook/twilio?bodySHA256=${twilioBodyHash(jsonBody)}`;
  const rejections: [string, string | undefined, { url?: string; body?: string }, string, string][] = [
    ['no X-Twilio-Signature header', undefined, {}, 'signature_missing', 'The x-twilio-signature header is missing'],
    ['a signature over the host the function sees', signTwilio(token, 'https://abc123.execute-api.eu-west-1.amazonaws.com/webhook/twilio', params), {}, 'signature_mismatch', 'X-Twilio-Signature does not match the public URL and parameters'],
    ['a signature made with another auth token', signTwilio('other-token', `https://${publicHost}/webhook/twilio`, params), {}, 'signature_mismatch', 'X-Twilio-Signature does not match the public URL and parameters'],
    ['a form value changed by one byte', signTwilio(token, `https://${publicHost}/webhook/twilio`, params), { body: form.replace('bye', 'bye!') }, 'signature_mismatch', 'X-Twilio-Signature does not match the public URL and parameters'],
    ['an added form field', signTwilio(token, `https://${publicHost}/webhook/twilio`, params), { body: `${form}&Extra=1` }, 'signature_mismatch', 'X-Twilio-Signature does not match the public URL and parameters'],
    ['a JSON body changed by one byte', signTwilio(token, `https://${publicHost}${jsonUrl}`), { url: jsonUrl, body: jsonBody.replace('SM1', 'SM2') }, 'body_hash_mismatch', 'The body does not match the bodySHA256 query parameter'],
  ];
  for (const [name, signature, overrides, code, message] of rejections) {
    it(`rejects ${name} with ${code}`, () => {
      expect(() => verify(request(signature, overrides)))
        .to.throw(SignatureError, message)
        .with.property('code', code);
    });
  }
});
