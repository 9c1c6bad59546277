import { expect } from 'chai';
import { makeApiGatewayV1Event, makeApiGatewayV2Event } from '../../../factories/api-gateway.ts';
import { useTaskRoot, type BundleAnswer } from '../../helpers/bundle.ts';
import { clientId, makeIdTokenClaims, makeSigningKey, region, signToken, userPoolId } from '../../helpers/cognito-tokens.ts';
import { startJwksServer, type JwksServer } from '../../helpers/jwks-server.ts';

interface ProxyResult {
  statusCode: number;
  body: string;
  headers?: Record<string, string>;
}

// The built entry, alone with its chunks in a directory with no node_modules, run by a plain
// Node process the way the Lambda runtime imports the image's `http.handler`.
describe('dist/http.mjs', () => {
  const taskRoot = useTaskRoot();

  it('answers malformed events with a JSON 400 and x-request-id, and never throws', async () => {
    const v2 = makeApiGatewayV2Event({ path: '/health' });
    const post = makeApiGatewayV2Event({ method: 'POST', path: '/webhook', body: 'x', base64: true });
    const events: [string, unknown][] = [
      ['{}', {}],
      ['null', null],
      ['v2 without requestContext.http', { ...v2, requestContext: { ...v2.requestContext, http: undefined } }],
      ['v2 with a body that is not a string', { ...v2, body: { a: 1 } }],
      ['v2 with invalid base64', { ...post, body: '%%%%' }],
      ['v1 with invalid base64', { ...makeApiGatewayV1Event({ method: 'POST', path: '/webhook', body: 'x', base64: true }), body: '%%%%' }],
    ];

    const { answers, lines } = await taskRoot().invoke('http', events.map(([, event]) => event));

    const seen = answers.map((answer: BundleAnswer, i) => {
      if ('threw' in answer) return [events[i]?.[0], 'threw'];
      const result = answer.result as ProxyResult;
      return [events[i]?.[0], result.statusCode, (JSON.parse(result.body) as { error: { code: string } }).error.code, typeof result.headers?.['x-request-id']];
    });
    expect(seen).to.deep.equal(events.map(([name]) => [name, 400, 'invalid_event', 'string']));
    expect(lines.filter((line) => line.message === 'invalid event')).to.have.length(events.length);
  });

  it('serves a v2 event whose headers are null', async () => {
    const { answers } = await taskRoot().invoke('http', [{ ...makeApiGatewayV2Event({ path: '/health' }), headers: null }]);

    const result = (answers[0] as { result: ProxyResult }).result;
    expect([result.statusCode, result.headers?.['x-request-id']]).to.deep.equal([200, 'JKJaXmPLvHcESHA=']);
  });

  describe('with a Cognito user pool (its JWKS endpoint stubbed on 127.0.0.1)', () => {
    let jwks: JwksServer;
    const key = makeSigningKey('key-1');
    before(async () => {
      jwks = await startJwksServer([key]);
    });
    after(() => jwks.close());

    const apiCall = (token: string) => makeApiGatewayV2Event({ path: '/api/me', headers: { authorization: `Bearer ${token}` } });
    const env = () => ({ AUTH_USER_POOL_ID: userPoolId, AUTH_USER_POOL_CLIENT_ID: clientId, AWS_REGION: region, STUB_COGNITO_JWKS: jwks.url });

    it('rejects signed tokens without exp, issued an hour ahead, or with == after the signature', async () => {
      const now = Math.floor(Date.now() / 1000);
      const tokens = [
        signToken(key, makeIdTokenClaims()),
        signToken(key, makeIdTokenClaims({ exp: undefined })),
        signToken(key, makeIdTokenClaims({ iat: now + 3600 })),
        `${signToken(key, makeIdTokenClaims())}==`,
      ];

      const { answers } = await taskRoot().invoke('http', tokens.map(apiCall), env());

      expect(answers.map((answer) => {
        const result = (answer as { result: ProxyResult }).result;
        return [result.statusCode, result.statusCode === 200 ? 'ok' : (JSON.parse(result.body) as { error: { code: string } }).error.code];
      })).to.deep.equal([[200, 'ok'], [401, 'token_without_expiry'], [401, 'token_issued_in_future'], [401, 'malformed_token']]);
    });

    it("logs a rejection's reason, never the unverified token's iss or kid", async () => {
      const chosen = 'chosen-by-the-caller';
      const tokens = [signToken(makeSigningKey(`kid-${chosen}`), makeIdTokenClaims()), signToken(key, makeIdTokenClaims({ iss: `https://cognito-idp.${region}.amazonaws.com/${chosen}` }))];

      const { lines } = await taskRoot().invoke('http', tokens.map(apiCall), env());

      const failed = lines.filter((line) => line.message === 'authentication failed');
      expect(failed.map((line) => line.reason)).to.deep.equal(['unknown_key', 'invalid_issuer']);
      expect(JSON.stringify(failed)).not.to.include(chosen);
    });
  });
});
