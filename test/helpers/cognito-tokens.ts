// Cognito-shaped JWTs signed with RSA keys generated here (node:crypto), so tests need no pool.
// Claims follow the Cognito developer guide's id and access token examples:
// https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-with-identity-providers.html
import { createSign, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';

export const region = 'eu-west-1';
export const userPoolId = 'eu-west-1_TestPool1';
export const clientId = '3c9pqtestclient0000000000a';
export const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  /** The public half as a JWKS entry, the way Cognito publishes it. */
  jwk: JsonWebKey & { kid: string; alg: string; use: string };
}

/** A fresh RSA 2048 key pair under the given key id. */
export function makeSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims of a Cognito id token, valid for an hour from now. */
export function makeIdTokenClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return {
    sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    'cognito:groups': ['admins'],
    email_verified: true,
    iss: issuer,
    'cognito:username': 'jane',
    aud: clientId,
    event_id: '7b3a1e92-0000-4000-8000-000000000001',
    token_use: 'id',
    auth_time: now,
    exp: now + 3600,
    iat: now,
    jti: '5b2c3d4e-0000-4000-8000-000000000002',
    email: 'jane@example.com',
    ...overrides,
  };
}

/** Claims of a Cognito access token, valid for an hour from now. */
export function makeAccessTokenClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return {
    sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    'cognito:groups': ['admins'],
    iss: issuer,
    client_id: clientId,
    origin_jti: '1a2b3c4d-0000-4000-8000-000000000003',
    event_id: '7b3a1e92-0000-4000-8000-000000000001',
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: now,
    exp: now + 3600,
    iat: now,
    jti: '6c7d8e9f-0000-4000-8000-000000000004',
    username: 'jane',
    ...overrides,
  };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS: RS256 over header and claims. `header` overrides `alg`, `kid`, `typ`. */
export function signToken(key: SigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${base64url({ kid: key.kid, alg: 'RS256', ...header })}.${base64url(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key.privateKey).toString('base64url');
  return `${input}.${signature}`;
}
