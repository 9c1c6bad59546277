import { createHmac, createPublicKey } from 'node:crypto';
import { expect } from 'chai';
import type { AuthOptions } from '../../shared/auth.ts';
import { createHttpHandler } from '../../services/http/http-handler.ts';
import { makeApiGatewayV1Event, makeApiGatewayV2Event, type RequestSpec } from '../../factories/api-gateway.ts';
import { makeApp } from '../../factories/app.ts';
import { makeLambdaContext } from '../../factories/lambda-context.ts';
import { clientId, makeAccessTokenClaims, makeIdTokenClaims, makeSigningKey, signToken, userPoolId, type SigningKey } from '../helpers/cognito-tokens.ts';
import { startJwksServer, type JwksServer } from '../helpers/jwks-server.ts';

// Tokens are signed with keys made in the test; the pool's JWKS is served on 127.0.0.1 and read
// through a SimpleJwksCache with a local fetcher (see test/helpers/jwks-server.ts). Every request
// goes through the HTTP function, as API Gateway would invoke it.
interface ProxyResult {
  statusCode: number;
  body: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
}

const flavours = { 'REST v1': makeApiGatewayV1Event, 'HTTP API v2': makeApiGatewayV2Event };
const challenge = 'Bearer realm="api"';
const invalidToken = `${challenge}, error="invalid_token"`;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('authentication', () => {
  let key: SigningKey;
  let otherKey: SigningKey;
  let jwks: JwksServer;

  before(() => {
    key = makeSigningKey('key-1');
    otherKey = makeSigningKey('key-unpublished');
  });

  beforeEach(async () => {
    jwks = await startJwksServer([key]);
  });

  afterEach(async () => {
    await jwks.close();
  });

  function authOptions(overrides: Partial<AuthOptions> = {}): AuthOptions {
    return { prefixes: ['/api'], tokenUse: null, pool: () => Promise.resolve({ userPoolId, clientId }), jwksCache: jwks.jwksCache, ...overrides };
  }

  function wwwAuthenticate(result: ProxyResult): string | undefined {
    return result.headers?.['www-authenticate'] ?? result.multiValueHeaders?.['www-authenticate']?.join(',');
  }

  for (const [flavour, makeEvent] of Object.entries(flavours)) {
    describe(flavour, () => {
      async function send(spec: RequestSpec, options = authOptions()) {
        const { app, lines } = makeApp({ auth: options });
        const result = (await createHttpHandler(app)(makeEvent(spec), makeLambdaContext())) as ProxyResult;
        return { status: result.statusCode, body: JSON.parse(result.body) as unknown, challenge: wwwAuthenticate(result), lines };
      }
      const withToken = (token: string, path = '/api/me') => send({ path, headers: { Authorization: `Bearer ${token}` } });

      it('passes a valid id token and shows the caller', async () => {
        const res = await withToken(signToken(key, makeIdTokenClaims()));

        expect(res).to.deep.include({ status: 200, challenge: undefined });
        expect(res.body).to.deep.equal({
          path: '/api/me',
          query: {},
          user: { sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', username: 'jane', email: 'jane@example.com', groups: ['admins'], tokenUse: 'id' },
        });
      });

      it('passes a valid access token and shows the caller', async () => {
        const res = await withToken(signToken(key, makeAccessTokenClaims({ 'cognito:groups': undefined })));

        expect(res.status).to.equal(200);
        expect(res.body).to.deep.include({
          user: { sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', username: 'jane', email: null, groups: [], tokenUse: 'access' },
        });
      });

      const rejections: [string, () => Record<string, string>, string, string][] = [
        ['a request without Authorization header', () => ({}), 'missing_token', challenge],
        ['another scheme', () => ({ Authorization: 'Basic amFuZTpzZWNyZXQ=' }), 'invalid_scheme', challenge],
        ['a Bearer header without a token', () => ({ Authorization: 'Bearer' }), 'malformed_header', `${challenge}, error="invalid_request"`],
        ['a Bearer header with two tokens', () => ({ Authorization: 'Bearer abc def' }), 'malformed_header', `${challenge}, error="invalid_request"`],
        ['a token that is not a JWT', () => bearer('not-a-jwt'), 'malformed_token', invalidToken],
        ['an expired token', () => bearer(signToken(key, makeIdTokenClaims({ exp: now() - 60 }))), 'token_expired', invalidToken],
        ['a token not valid yet', () => bearer(signToken(key, makeIdTokenClaims({ nbf: now() + 600 }))), 'token_not_yet_valid', invalidToken],
        [
          'a token from another user pool',
          () => bearer(signToken(key, makeIdTokenClaims({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OtherPool' }))),
          'invalid_issuer',
          invalidToken,
        ],
        ['an id token for another app client', () => bearer(signToken(key, makeIdTokenClaims({ aud: 'otherclient' }))), 'invalid_client', invalidToken],
        ['an access token for another app client', () => bearer(signToken(key, makeAccessTokenClaims({ client_id: 'otherclient' }))), 'invalid_client', invalidToken],
        ['a token of another token_use', () => bearer(signToken(key, makeIdTokenClaims({ token_use: 'refresh' }))), 'invalid_token_use', invalidToken],
        ['alg none with a signature part', () => bearer(signToken(key, makeIdTokenClaims(), { alg: 'none' })), 'invalid_algorithm', invalidToken],
        ['alg none without a signature', () => bearer(`${b64({ alg: 'none', kid: 'key-1' })}.${b64(makeIdTokenClaims())}.`), 'malformed_token', invalidToken],
        ['HS256 keyed with the public key', () => bearer(hs256WithPublicKey()), 'invalid_algorithm', invalidToken],
        ['a tampered payload', () => bearer(tamperPayload(signToken(key, makeIdTokenClaims()))), 'invalid_signature', invalidToken],
        ['a tampered signature', () => bearer(tamperSignature(signToken(key, makeIdTokenClaims()))), 'invalid_signature', invalidToken],
        ['a key id the pool does not publish', () => bearer(signToken(otherKey, makeIdTokenClaims())), 'unknown_key', invalidToken],
        ['a token without key id', () => bearer(signToken(key, makeIdTokenClaims(), { kid: undefined })), 'unknown_key', invalidToken],
        ['a signed token without exp', () => bearer(signToken(key, makeIdTokenClaims({ exp: undefined }))), 'token_without_expiry', invalidToken],
        ['a signed token issued an hour ahead', () => bearer(signToken(key, makeIdTokenClaims({ iat: now() + 3600 }))), 'token_issued_in_future', invalidToken],
        ['a signed token with == appended to its signature', () => bearer(`${signToken(key, makeIdTokenClaims())}==`), 'malformed_token', invalidToken],
        ['a signed token whose signature has stray trailing bits', () => bearer(strayBits(signToken(key, makeIdTokenClaims()))), 'malformed_token', invalidToken],
      ];
      for (const [what, headers, code, expectedChallenge] of rejections) {
        it(`rejects ${what} with 401 ${code}`, async () => {
          const res = await send({ path: '/api/me', headers: headers() });

          expect({ status: res.status, challenge: res.challenge, code: (res.body as { error: { code: string } }).error.code }).to.deep.equal({
            status: 401,
            challenge: expectedChallenge,
            code,
          });
          expect(Object.keys(res.body as object)).to.deep.equal(['error']);
        });
      }

      it('answers a rejected token with a fixed message that echoes nothing of the token', async () => {
        const token = signToken(key, makeIdTokenClaims({ exp: now() - 60, email: 'leak@example.com' }));

        const res = await withToken(token);

        expect(res.body).to.deep.equal({ error: { code: 'token_expired', message: 'The token has expired' } });
      });

      it('accepts only the configured token_use', async () => {
        const options = authOptions({ tokenUse: 'access' });

        const id = await send({ path: '/api/me', headers: bearer(signToken(key, makeIdTokenClaims())) }, options);
        const access = await send({ path: '/api/me', headers: bearer(signToken(key, makeAccessTokenClaims())) }, options);

        expect([id.status, access.status]).to.deep.equal([401, 200]);
        expect(id.body).to.deep.include({ error: { code: 'invalid_token_use', message: 'This kind of token is not accepted here' } });
      });

      it('protects the prefix however its path is spelled', async () => {
        const paths = ['/api', '/API/me', '/Api/me', '/%61pi/me', '//api/me'];

        const statuses = await Promise.all(paths.map(async (path) => (await send({ path })).status));

        expect(statuses).to.deep.equal([401, 401, 401, 401, 401]);
      });

      it('leaves /, /health, the webhook and paths that only start like the prefix public', async () => {
        const results = await Promise.all([
          send({ path: '/' }),
          send({ path: '/health' }),
          send({ method: 'POST', path: '/webhook', headers: { 'content-type': 'application/json' }, body: '{}' }),
          send({ path: '/apiary' }),
        ]);

        expect(results.map((r) => r.status)).to.deep.equal([200, 200, 200, 404]);
      });

      it('protects the configured prefixes only', async () => {
        const options = authOptions({ prefixes: ['/admin/'] });

        const api = await send({ path: '/api/me' }, options);
        const admin = await send({ path: '/admin/users' }, options);

        expect([api.status, admin.status]).to.deep.equal([200, 401]);
      });

      it('logs the reason of a rejection and the kind of error, never a value of the unverified token', async () => {
        const chosen = 'x\u001b[2J-chosen-by-the-caller';
        const tokens = [signToken(otherKey, makeIdTokenClaims(), { kid: chosen }), signToken(key, makeIdTokenClaims({ iss: `https://evil.example/${chosen}` })), signToken(key, makeIdTokenClaims({ aud: chosen }))];

        const lines = (await Promise.all(tokens.map((token) => withToken(token)))).map((res) => res.lines.find((l) => l.message === 'authentication failed'));

        expect(lines.map((line) => [line?.reason, line?.detail])).to.deep.equal([
          ['unknown_key', 'KidNotFoundInJwksError'],
          ['invalid_issuer', 'ParameterValidationError'],
          ['invalid_client', 'CognitoJwtInvalidClientIdError'],
        ]);
        expect(JSON.stringify(lines)).not.to.include('chosen-by-the-caller');
      });
    });
  }

  it('fetches the JWKS once and refetches for an unknown key id at most once per 10 seconds', async () => {
    const { app } = makeApp({ auth: authOptions() });
    const handler = createHttpHandler(app);
    const call = async (token: string) =>
      ((await handler(makeApiGatewayV2Event({ path: '/api/me', headers: bearer(token) }), makeLambdaContext())) as ProxyResult).statusCode;

    const statuses = [];
    for (const signer of [key, key, key, otherKey, otherKey, key]) statuses.push(await call(signToken(signer, makeIdTokenClaims())));

    expect(statuses).to.deep.equal([200, 200, 200, 401, 401, 200]);
    expect(jwks.fetches).to.deep.equal([`/${userPoolId}/.well-known/jwks.json`, `/${userPoolId}/.well-known/jwks.json`]);
  });

  it('answers 503 auth_unavailable when the JWKS cannot be fetched', async () => {
    await jwks.close();
    const { app } = makeApp({ auth: authOptions() });

    const result = (await createHttpHandler(app)(makeApiGatewayV2Event({ path: '/api/me', headers: bearer(signToken(key, makeIdTokenClaims())) }), makeLambdaContext())) as ProxyResult;

    expect({ status: result.statusCode, body: JSON.parse(result.body) as unknown }).to.deep.equal({
      status: 503,
      body: { error: { code: 'auth_unavailable', message: 'The user pool signing keys could not be fetched; retry later' } },
    });
    jwks = await startJwksServer([key]);
  });

  it('asks for the pool on every request, so a refreshed app client id applies', async () => {
    let current = { userPoolId, clientId };
    const { app } = makeApp({ auth: authOptions({ pool: () => Promise.resolve(current) }) });
    const handler = createHttpHandler(app);
    const token = signToken(key, makeIdTokenClaims());
    const call = async () => ((await handler(makeApiGatewayV2Event({ path: '/api/me', headers: bearer(token) }), makeLambdaContext())) as ProxyResult).statusCode;

    const before = await call();
    current = { userPoolId, clientId: 'newclient' };
    const after = await call();

    expect([before, after]).to.deep.equal([200, 401]);
    expect(jwks.fetches).to.have.length(1);
  });

  // The classic algorithm confusion: an HMAC keyed with the published RSA public key.
  function hs256WithPublicKey(): string {
    const publicPem = createPublicKey({ key: key.jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const input = `${b64({ alg: 'HS256', kid: 'key-1' })}.${b64(makeIdTokenClaims())}`;
    return `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
  }
});

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

function tamperPayload(token: string): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64(makeIdTokenClaims({ 'cognito:groups': ['admins', 'superusers'] }))}.${signature}`;
}

function tamperSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const middle = Math.floor(signature.length / 2);
  const flipped = signature[middle] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, middle)}${flipped}${signature.slice(middle + 1)}`;
}

/** The same signature with its last character's unused low bits set: it decodes to the same bytes. */
function strayBits(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(signature.at(-1) ?? 'A');
  return `${header}.${payload}.${signature.slice(0, -1)}${alphabet[last | 0b11]}`;
}
