import { expect } from 'chai';
import { createShopifyVerifier } from '../../../shared/signatures/shopify.ts';
import { SignatureError } from '../../../shared/signatures/errors.ts';
import { makeSignedRequest, signShopify } from '../../../factories/signatures.ts';

const secret = 'shpss_0123456789abcdef0123456789abcdef';
const body = '{"id":820982911946154508,"email":"jon@example.com"}';

const request = (header: string | undefined, changedBody?: string) =>
  makeSignedRequest({ body: changedBody ?? body, headers: header === undefined ? {} : { 'X-Shopify-Hmac-Sha256': header } });

describe('createShopifyVerifier', () => {
  const verify = createShopifyVerifier({ secrets: [secret] });

  it('accepts RFC 4231 test case 2 in Shopify\'s base64 encoding', () => {
    // Shopify publishes no vector; RFC 4231 4.3 pins HMAC-SHA256 (hex 5bdcc146…3843), here in base64.
    const rfc = createShopifyVerifier({ secrets: ['Jefe'] });

    expect(() => rfc(request('W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=', 'what do ya want for nothing?'))).not.to.throw();
  });

  it('accepts a delivery signed with the secret', () => {
    expect(() => verify(request(signShopify(secret, body)))).not.to.throw();
  });

  it('accepts a delivery signed with either secret while rotating', () => {
    const rotating = createShopifyVerifier({ secrets: ['shpss_old', secret] });

    expect(() => rotating(request(signShopify('shpss_old', body)))).not.to.throw();
    expect(() => rotating(request(signShopify(secret, body)))).not.to.throw();
  });

  const rejections: [string, string | undefined, string | undefined, string, string][] = [
    ['no X-Shopify-Hmac-Sha256 header', undefined, undefined, 'signature_missing', 'The x-shopify-hmac-sha256 header is missing'],
    ['a signature made with another secret', signShopify('other', body), undefined, 'signature_mismatch', 'X-Shopify-Hmac-Sha256 does not match the body'],
    ['a body changed by one byte', signShopify(secret, body), body.replace('jon', 'jan'), 'signature_mismatch', 'X-Shopify-Hmac-Sha256 does not match the body'],
    ['the digest in hex instead of base64', Buffer.from(signShopify(secret, body), 'base64').toString('hex'), undefined, 'signature_mismatch', 'X-Shopify-Hmac-Sha256 does not match the body'],
  ];
  for (const [name, header, changedBody, code, message] of rejections) {
    it(`rejects ${name} with ${code}`, () => {
      expect(() => verify(request(header, changedBody)))
        .to.throw(SignatureError, message)
        .with.property('code', code);
    });
  }
});
