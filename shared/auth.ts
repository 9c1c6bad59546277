import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwksValidationError,
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { SimpleJwksCache, type JwksCache } from 'aws-jwt-verify/jwk';
import type { CognitoIdOrAccessTokenPayload } from 'aws-jwt-verify/jwt-model';
import type { Middleware } from 'koa';
import { ServiceUnavailableError, UnauthorizedError, type AppError } from './errors.ts';

export interface CognitoPool {
  userPoolId: string;
  clientId: string;
}

export interface AuthOptions {
  /** Paths under these prefixes (`/api` covers `/api/...`) need a token. */
  prefixes: readonly string[];
  /** The accepted `token_use`: `id`, `access`, or null for either. */
  tokenUse: 'id' | 'access' | null;
  /** The user pool and its app client, asked per request so a configuration refresh applies. */
  pool: () => Promise<CognitoPool>;
  /** Fetches and caches the pool's JWKS; tests pass one whose fetcher reads a local JWKS. */
  jwksCache?: JwksCache;
}

/** The caller, in `ctx.state.user` once the token (or, with AUTH_MODE=iam, API Gateway's SigV4 check) is verified. */
export interface AuthenticatedUser {
  /** The token's `sub`; with IAM, the caller's ARN. */
  sub: string;
  username: string | null;
  email: string | null;
  groups: string[];
  tokenUse: 'id' | 'access' | 'iam';
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** A verified token without `exp`: aws-jwt-verify checks expiry only when the claim is there. */
class TokenWithoutExpiryError extends Error {
  override readonly name = 'TokenWithoutExpiryError';
}

/** A verified token whose `iat` is ahead of this clock by more than the allowed skew. */
class TokenIssuedInFutureError extends Error {
  override readonly name = 'TokenIssuedInFutureError';
}

// Clocks drift; Cognito's and ours may disagree by a few seconds, not by an hour.
const issuedAtSkewSeconds = 60;

/** Runs after aws-jwt-verify has checked the signature and its own claims (its customJwtCheck). */
function checkTimeClaims({ payload }: { payload: { exp?: unknown; iat?: unknown } }): void {
  if (payload.exp === undefined) throw new TokenWithoutExpiryError('The token has no exp claim');
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + issuedAtSkewSeconds) {
    throw new TokenIssuedInFutureError('The token is issued in the future');
  }
}

// aws-jwt-verify error → our stable reason code. Order matters: subclasses before parents.
const reasons: [ErrorClass, string, string][] = [
  [JwtParseError, 'malformed_token', 'The bearer token is not a well-formed JWT'],
  [TokenWithoutExpiryError, 'token_without_expiry', 'The token has no expiry'],
  [TokenIssuedInFutureError, 'token_issued_in_future', 'The token is issued in the future'],
  [JwtExpiredError, 'token_expired', 'The token has expired'],
  [JwtNotBeforeError, 'token_not_yet_valid', 'The token is not valid yet'],
  [JwtInvalidIssuerError, 'invalid_issuer', 'The token was not issued by this user pool'],
  // An `iss` of another pool fails the verifier's issuer lookup ("issuer not configured"), which
  // throws ParameterValidationError; our verifier's own parameters are always complete.
  [ParameterValidationError, 'invalid_issuer', 'The token was not issued by this user pool'],
  [CognitoJwtInvalidClientIdError, 'invalid_client', 'The token was issued to another app client'],
  [CognitoJwtInvalidTokenUseError, 'invalid_token_use', 'This kind of token is not accepted here'],
  [JwtInvalidSignatureAlgorithmError, 'invalid_algorithm', 'The token signature algorithm is not accepted'],
  [JwtInvalidSignatureError, 'invalid_signature', 'The token signature is not valid'],
  [KidNotFoundInJwksError, 'unknown_key', 'The token was signed with an unknown key'],
  [WaitPeriodNotYetEndedJwkError, 'unknown_key', 'The token was signed with an unknown key'],
  [JwtWithoutValidKidError, 'unknown_key', 'The token does not name its signing key'],
];

/**
 * Requires a Cognito token (`Authorization: Bearer <jwt>`) on paths under `prefixes`, verified
 * with aws-jwt-verify: signature against the pool's JWKS (fetched once, cached; the library
 * rate-limits refetches for an unknown `kid`), expiry, issuer, `token_use` and client id.
 * Failures answer 401 with `WWW-Authenticate: Bearer` and a reason code, never token details.
 */
export function authentication(options: AuthOptions): Middleware {
  const isProtected = protectedPaths(options.prefixes);
  // One cache for the life of the container, kept when a refresh brings a new pool or client.
  const jwksCache = options.jwksCache ?? new SimpleJwksCache();
  let current: { key: string; verifier: ReturnType<typeof createVerifier> } | undefined;

  const createVerifier = (pool: CognitoPool) =>
    CognitoJwtVerifier.create({ userPoolId: pool.userPoolId, clientId: pool.clientId, tokenUse: options.tokenUse, customJwtCheck: checkTimeClaims }, { jwksCache });
  const verifierFor = (pool: CognitoPool) => {
    const key = `${pool.userPoolId} ${pool.clientId}`;
    if (current?.key !== key) current = { key, verifier: createVerifier(pool) };
    return current.verifier;
  };

  return async (ctx, next) => {
    if (!isProtected(ctx.path)) {
      await next();
      return;
    }

    const token = bearerToken(ctx.get('authorization'));
    const verifier = verifierFor(await options.pool());
    try {
      ctx.state.user = toUser(await verifier.verify(token));
    } catch (error) {
      const rejection = toRejection(error);
      // The error's class, never its message: aws-jwt-verify's messages quote the unverified
      // token's iss, kid or aud, values the caller chose (its classes leave `name` as "Error").
      ctx.state.logger.info('authentication failed', { reason: rejection.code, detail: error instanceof Error ? error.constructor.name : typeof error });
      throw rejection;
    }
    await next();
  };
}

/** Whether a request path falls under one of the prefixes (`/api` covers `/api/...`), however it is spelt. */
export function protectedPaths(prefixes: readonly string[]): (path: string) => boolean {
  const normalized = prefixes.map((prefix) => normalizePath(prefix).replace(/\/+$/, ''));
  return (requestPath) => {
    const path = normalizePath(requestPath);
    return normalized.some((prefix) => path === prefix || path.startsWith(prefix + '/'));
  };
}

// The router matches routes case-insensitively (`/API/x` reaches `/api/*`), so the prefix test
// must too; decoding and merged slashes close the other ways to spell a protected path.
function normalizePath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch (error) {
    if (!(error instanceof URIError)) throw error;
  }
  return decoded.toLowerCase().replace(/\/{2,}/g, '/');
}

// RFC 6750 section 3: no `error` attribute when the request carried no Bearer credentials.
const challenge = 'Bearer realm="api"';

function bearerToken(header: string): string {
  if (header.trim() === '') throw unauthorized('missing_token', 'An Authorization: Bearer token is required', challenge);
  const [scheme = '', ...rest] = header.trim().split(/ +/);
  if (scheme.toLowerCase() !== 'bearer') throw unauthorized('invalid_scheme', 'The Authorization scheme must be Bearer', challenge);
  const token = rest.length === 1 ? (rest[0] as string) : '';
  // RFC 6750 section 2.1: b64token.
  if (!/^[\w.~+/-]+=*$/.test(token)) {
    throw unauthorized('malformed_header', 'The Authorization header must be "Bearer <token>"', `${challenge}, error="invalid_request"`);
  }
  // aws-jwt-verify takes up to two '=' after each part and decodes leniently, so one signed token
  // could be written many ways (a replay-detection or deny list keyed on the text would miss
  // them). A JWT's parts are canonical base64url (RFC 7515 section 2): no padding, no stray bits.
  if (!token.split('.').every(isCanonicalBase64Url)) {
    throw unauthorized('malformed_token', 'The bearer token is not a well-formed JWT', `${challenge}, error="invalid_token"`);
  }
  return token;
}

function isCanonicalBase64Url(part: string): boolean {
  return /^[\w-]+$/.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part;
}

function toRejection(error: unknown): AppError {
  if (error instanceof FetchError || error instanceof JwksValidationError) {
    return new ServiceUnavailableError('auth_unavailable', 'The user pool signing keys could not be fetched; retry later', { cause: error });
  }
  const [, code, message] = reasons.find(([type]) => error instanceof type) ?? [Error, 'invalid_token', 'The token is not valid'];
  return unauthorized(code, message, `${challenge}, error="invalid_token"`, error);
}

function unauthorized(code: string, message: string, wwwAuthenticate: string, cause?: unknown): UnauthorizedError {
  return new UnauthorizedError(code, message, { cause, headers: { 'WWW-Authenticate': wwwAuthenticate } });
}

function toUser(payload: CognitoIdOrAccessTokenPayload<object, object>): AuthenticatedUser {
  const claims = payload as Record<string, unknown>;
  const username = claims['cognito:username'] ?? claims.username;
  return {
    sub: payload.sub,
    username: typeof username === 'string' ? username : null,
    email: typeof claims.email === 'string' ? claims.email : null,
    groups: payload['cognito:groups'] ?? [],
    tokenUse: payload.token_use,
  };
}
