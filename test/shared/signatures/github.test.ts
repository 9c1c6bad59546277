import { expect } from 'chai';
import { createGitHubVerifier } from '../../../shared/signatures/github.ts';
import { SignatureError } from '../../../shared/signatures/errors.ts';
import { makeSignedRequest, signGitHub } from '../../../factories/signatures.ts';

const secret = 'gh-webhook-secret-2026';
const body = '{"action":"opened","number":42}';

const request = (header: string | undefined, changedBody?: string) =>
  makeSignedRequest({ body: changedBody ?? body, headers: header === undefined ? {} : { 'X-Hub-Signature-256': header } });

describe('createGitHubVerifier', () => {
  const verify = createGitHubVerifier({ secrets: [secret] });

  it("accepts GitHub's published test vector", () => {
    // docs.github.com, "Validating webhook deliveries", "Testing the webhook payload validation".
    const published = createGitHubVerifier({ secrets: ["It's a Secret to Everybody"] });
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

    expect(() => published(request(header, 'Hello, World!'))).not.to.throw();
  });

  it('accepts a delivery signed with the secret', () => {
    expect(() => verify(request(signGitHub(secret, body)))).not.to.throw();
  });

  it('accepts a delivery signed with either secret while rotating', () => {
    const rotating = createGitHubVerifier({ secrets: ['gh-old', secret] });

    expect(() => rotating(request(signGitHub('gh-old', body)))).not.to.throw();
    expect(() => rotating(request(signGitHub(secret, body)))).not.to.throw();
  });

  const rejections: [string, string | undefined, string | undefined, string, string][] = [
    ['no X-Hub-Signature-256 header', undefined, undefined, 'signature_missing', 'The x-hub-signature-256 header is missing'],
    ['the SHA-1 header format', `sha1=${'a'.repeat(40)}`, undefined, 'signature_malformed', 'X-Hub-Signature-256 must start with "sha256="'],
    ['a signature made with another secret', signGitHub('other', body), undefined, 'signature_mismatch', 'X-Hub-Signature-256 does not match the body'],
    ['a body changed by one byte', signGitHub(secret, body), body.replace('42', '43'), 'signature_mismatch', 'X-Hub-Signature-256 does not match the body'],
    ['an upper-case digest', signGitHub(secret, body).toUpperCase().replace('SHA256=', 'sha256='), undefined, 'signature_mismatch', 'X-Hub-Signature-256 does not match the body'],
  ];
  for (const [name, header, changedBody, code, message] of rejections) {
    it(`rejects ${name} with ${code}`, () => {
      expect(() => verify(request(header, changedBody)))
        .to.throw(SignatureError, message)
        .with.property('code', code);
    });
  }
});
